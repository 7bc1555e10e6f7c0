/**
 * A page's pdfjs operator list → what the page shows that a table reader needs: every glyph with its
 * box, and every straight horizontal or vertical stroke (or thin filled rectangle) that may rule a
 * table. Positions are in page points with the origin at the top-left corner of the page as viewed
 * (crop box and /Rotate applied by the page transform).
 *
 * Text is laid out from the glyphs' own advance widths, exactly as pdfjs paints it: the text matrix,
 * font size, character and word spacing, horizontal scaling, rise and TJ adjustments are all applied,
 * so each glyph's box is where its ink is, whatever the producer grouped into one text operator.
 */

/** [a, b, c, d, e, f]: x' = a·x + c·y + e, y' = b·x + d·y + f (PDF's convention). */
export type Matrix = readonly [number, number, number, number, number, number];

export interface PageGlyph {
  /** The glyph's text: usually one character; a single space for any whitespace. */
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Where the glyph sits: its origin's y. */
  baseline: number;
  /** Font size as printed, in points. */
  size: number;
}

/** A straight horizontal (y fixed) or vertical (x fixed) line drawn on the page. */
export interface RuleSegment {
  orientation: 'horizontal' | 'vertical';
  /** y of a horizontal rule, x of a vertical one. */
  position: number;
  /** Extent along the rule: x range of a horizontal rule, y range of a vertical one. */
  from: number;
  to: number;
}

export interface PageContent {
  glyphs: PageGlyph[];
  rules: RuleSegment[];
}

/** What the layout needs of a font (pdfjs's font object has it): glyph space → text space. */
export interface FontMetrics {
  fontMatrix?: number[];
}

export interface OperatorList {
  fnArray: ArrayLike<number>;
  argsArray: ArrayLike<unknown>;
}

/** pdfjs-dist 5 operator numbers (`pdfjs.OPS`); a unit test checks them against the library. */
export const PDF_OPS = {
  setLineWidth: 2,
  transform: 12,
  save: 10,
  restore: 11,
  setGState: 9,
  constructPath: 91,
  beginText: 31,
  setCharSpacing: 33,
  setWordSpacing: 34,
  setHScale: 35,
  setLeading: 36,
  setFont: 37,
  setTextRise: 39,
  moveText: 40,
  setLeadingMoveText: 41,
  setTextMatrix: 42,
  nextLine: 43,
  showText: 44,
  setStrokeRGBColor: 58,
  setFillRGBColor: 59,
  paintFormXObjectBegin: 74,
  paintFormXObjectEnd: 75,
  beginGroup: 76,
  endGroup: 77,
} as const;

/** Paint operators at the head of a constructPath's arguments. */
const PAINT = {
  stroke: 20,
  closeStroke: 21,
  fill: 22,
  eoFill: 23,
  fillStroke: 24,
  eoFillStroke: 25,
  closeFillStroke: 26,
  closeEOFillStroke: 27,
} as const;
const STROKING = new Set<number>([
  PAINT.stroke,
  PAINT.closeStroke,
  PAINT.fillStroke,
  PAINT.eoFillStroke,
  PAINT.closeFillStroke,
  PAINT.closeEOFillStroke,
]);
const FILLING = new Set<number>([
  PAINT.fill,
  PAINT.eoFill,
  PAINT.fillStroke,
  PAINT.eoFillStroke,
  PAINT.closeFillStroke,
  PAINT.closeEOFillStroke,
]);

/** Path data opcodes inside constructPath (pdfjs's DrawOPS, not exported). */
const DRAW = { moveTo: 0, lineTo: 1, curveTo: 2, quadraticCurveTo: 3, closePath: 4 } as const;

/** A segment this close to horizontal or vertical, in points over its length, counts as straight. */
const STRAIGHT_TOLERANCE = 0.5;
/** A filled rectangle at most this thick, and at least twice as long, is a rule. */
const MAX_RULE_THICKNESS = 2.5;
const MIN_RULE_LENGTH = 2;
/**
 * A line of text's box, above and below the baseline, as fractions of the font size: from the cap
 * height to the descenders of the fonts plans are set in. Textract's boxes hug the ink like this; one
 * band for every glyph keeps the lines of a cell evenly boxed, whatever their letters.
 */
const CAP_HEIGHT = 0.72;
const DESCENDER = 0.21;
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const WHITE = new Set(['#ffffff', '#fff']);

interface GraphicsState {
  ctm: Matrix;
  font: FontMetrics | undefined;
  fontSize: number;
  charSpacing: number;
  wordSpacing: number;
  horizontalScale: number;
  leading: number;
  rise: number;
  strokeIsWhite: boolean;
  fillIsWhite: boolean;
}

interface Glyph {
  unicode?: string;
  width?: number;
  isSpace?: boolean;
}

export function readPageContent(
  operatorList: OperatorList,
  fontOf: (name: string) => FontMetrics | undefined,
  pageTransform: Matrix,
): PageContent {
  const glyphs: PageGlyph[] = [];
  const rules: RuleSegment[] = [];
  const stack: GraphicsState[] = [];
  let state: GraphicsState = {
    ctm: pageTransform,
    font: undefined,
    fontSize: 0,
    charSpacing: 0,
    wordSpacing: 0,
    horizontalScale: 1,
    leading: 0,
    rise: 0,
    strokeIsWhite: false,
    fillIsWhite: false,
  };
  let textMatrix: Matrix = IDENTITY;
  let lineX = 0;
  let lineY = 0;
  let x = 0;
  let y = 0;

  const save = () => {
    stack.push(state);
    state = { ...state };
  };
  const restore = () => {
    state = stack.pop() ?? state;
  };
  const setFont = (name: unknown, size: unknown) => {
    state.font = typeof name === 'string' ? fontOf(name) : undefined;
    state.fontSize = Math.abs(Number(size) || 0);
  };
  const moveText = (dx: number, dy: number) => {
    lineX += dx;
    lineY += dy;
    x = lineX;
    y = lineY;
  };

  const { fnArray, argsArray } = operatorList;
  for (let i = 0; i < fnArray.length; i++) {
    const args = argsArray[i] as unknown[] | null;
    switch (fnArray[i]) {
      case PDF_OPS.save:
        save();
        break;
      case PDF_OPS.restore:
        restore();
        break;
      case PDF_OPS.transform:
        state.ctm = multiply(args as unknown as Matrix, state.ctm);
        break;
      case PDF_OPS.paintFormXObjectBegin: {
        save();
        const matrix = args?.[0];
        if (isMatrix(matrix)) state.ctm = multiply(matrix, state.ctm);
        break;
      }
      case PDF_OPS.beginGroup: {
        save();
        const matrix = (args?.[0] as { matrix?: unknown } | undefined)?.matrix;
        if (isMatrix(matrix)) state.ctm = multiply(matrix, state.ctm);
        break;
      }
      case PDF_OPS.paintFormXObjectEnd:
      case PDF_OPS.endGroup:
        restore();
        break;
      case PDF_OPS.setGState:
        for (const [key, value] of (args?.[0] as [string, unknown][] | undefined) ?? []) {
          if (key === 'Font' && Array.isArray(value)) setFont(value[0], value[1]);
        }
        break;
      case PDF_OPS.setStrokeRGBColor:
        state.strokeIsWhite = WHITE.has(String(args?.[0]).toLowerCase());
        break;
      case PDF_OPS.setFillRGBColor:
        state.fillIsWhite = WHITE.has(String(args?.[0]).toLowerCase());
        break;
      case PDF_OPS.constructPath:
        readPath(args, state, rules);
        break;
      case PDF_OPS.beginText:
        textMatrix = IDENTITY;
        lineX = lineY = x = y = 0;
        break;
      case PDF_OPS.setTextMatrix: {
        const matrix = Array.isArray(args?.[0]) || ArrayBuffer.isView(args?.[0]) ? args?.[0] : args;
        if (isMatrix(matrix)) textMatrix = matrix;
        lineX = lineY = x = y = 0;
        break;
      }
      case PDF_OPS.moveText:
        moveText(Number(args?.[0]), Number(args?.[1]));
        break;
      case PDF_OPS.setLeadingMoveText:
        state.leading = Number(args?.[1]);
        moveText(Number(args?.[0]), Number(args?.[1]));
        break;
      case PDF_OPS.nextLine:
        moveText(0, state.leading);
        break;
      case PDF_OPS.setLeading:
        state.leading = -Number(args?.[0]);
        break;
      case PDF_OPS.setFont:
        setFont(args?.[0], args?.[1]);
        break;
      case PDF_OPS.setCharSpacing:
        state.charSpacing = Number(args?.[0]) || 0;
        break;
      case PDF_OPS.setWordSpacing:
        state.wordSpacing = Number(args?.[0]) || 0;
        break;
      case PDF_OPS.setHScale:
        state.horizontalScale = (Number(args?.[0]) || 100) / 100;
        break;
      case PDF_OPS.setTextRise:
        state.rise = Number(args?.[0]) || 0;
        break;
      case PDF_OPS.showText:
        x += layOutGlyphs(
          (args?.[0] as (Glyph | number)[] | undefined) ?? [],
          state,
          textMatrix,
          x,
          y,
          glyphs,
        );
        break;
    }
  }
  return { glyphs, rules };
}

/**
 * Places one text operator's glyphs; returns how far the text position moved along the line, in text
 * space. Text that does not run left to right on the page (rotated, mirrored) advances but is not kept.
 */
function layOutGlyphs(
  run: (Glyph | number)[],
  state: GraphicsState,
  textMatrix: Matrix,
  startX: number,
  startY: number,
  out: PageGlyph[],
): number {
  const { fontSize, horizontalScale, charSpacing, wordSpacing, rise } = state;
  const font = state.font;
  const widthScale = fontSize * (font?.fontMatrix?.[0] ?? 0.001);
  const toPage = multiply(textMatrix, state.ctm);
  const [a, b, c, d, e, f] = toPage;
  const upright = a > 0 && d < 0 && Math.abs(b) <= 0.01 * a && Math.abs(c) <= 0.01 * -d;
  const baseline = startY + rise;
  const pageBaseline = b * startX + d * baseline + f;
  const size = fontSize * Math.hypot(c, d);
  const top = pageBaseline - CAP_HEIGHT * size;
  const bottom = pageBaseline + DESCENDER * size;

  let advance = 0;
  for (const glyph of run) {
    if (typeof glyph === 'number') {
      advance -= (glyph * fontSize) / 1000;
      continue;
    }
    const width = (glyph.width ?? 0) * widthScale;
    if (upright && fontSize > 0) {
      const left = a * (startX + advance * horizontalScale) + c * baseline + e;
      const right = left + a * width * horizontalScale;
      out.push({ text: glyphText(glyph.unicode), left, right, top, bottom, baseline: pageBaseline, size });
    }
    advance += width + charSpacing + (glyph.isSpace ? wordSpacing : 0);
  }
  return advance * horizontalScale;
}

/**
 * Word's bullets in the Symbol and Wingdings fonts, which map their codes into the private use area
 * (U+F000 + code): what a reader of the printed page sees instead.
 */
const SYMBOL_FONT_BULLETS: Record<string, string> = { '\uF0B7': '•', '\uF0A7': '▪' };

/** A glyph's text: ligatures spelled out, symbol-font bullets as bullets, any whitespace (or none) as one space. */
function glyphText(unicode: string | undefined): string {
  if (!unicode || /^\s*$/.test(unicode)) return ' ';
  const bullet = SYMBOL_FONT_BULLETS[unicode];
  if (bullet) return bullet;
  return /[\uFB00-\uFB06]/.test(unicode) ? unicode.normalize('NFKC') : unicode;
}

/**
 * constructPath: [paint operator, [path data], bounding box]. Stroked straight lines and the edges
 * of stroked rectangles are rules; so is a filled rectangle thin enough to be a drawn line.
 * Clipping paths and white lines are not.
 */
function readPath(args: unknown[] | null, state: GraphicsState, rules: RuleSegment[]): void {
  const paint = Number(args?.[0]);
  const data = (args?.[1] as unknown[] | undefined)?.[0];
  if (!(Array.isArray(data) || data instanceof Float32Array)) return;
  const stroked = STROKING.has(paint) && !state.strokeIsWhite;
  const filled = FILLING.has(paint) && !state.fillIsWhite;
  if (!stroked && !filled) return;

  const ctm = state.ctm;
  const subpaths: [number, number][][] = [];
  let current: [number, number][] = [];
  const point = (px: number, py: number): [number, number] => [
    ctm[0] * px + ctm[2] * py + ctm[4],
    ctm[1] * px + ctm[3] * py + ctm[5],
  ];
  for (let i = 0; i < data.length; ) {
    const op = data[i] as number;
    if (op === DRAW.moveTo) {
      if (current.length > 0) subpaths.push(current);
      current = [point(data[i + 1] as number, data[i + 2] as number)];
      i += 3;
    } else if (op === DRAW.lineTo) {
      current.push(point(data[i + 1] as number, data[i + 2] as number));
      i += 3;
    } else if (op === DRAW.curveTo) {
      // A curve is no rule: start a new subpath at its end point.
      if (current.length > 0) subpaths.push(current);
      current = [point(data[i + 5] as number, data[i + 6] as number)];
      i += 7;
    } else if (op === DRAW.quadraticCurveTo) {
      if (current.length > 0) subpaths.push(current);
      current = [point(data[i + 3] as number, data[i + 4] as number)];
      i += 5;
    } else if (op === DRAW.closePath) {
      const start = current[0];
      if (start) current.push(start);
      i += 1;
    } else {
      break;
    }
  }
  if (current.length > 0) subpaths.push(current);

  for (const subpath of subpaths) {
    if (stroked) {
      for (let i = 1; i < subpath.length; i++) addStraightSegment(subpath[i - 1]!, subpath[i]!, rules);
    }
    if (filled) addThinRectangle(subpath, rules);
  }
}

function addStraightSegment(
  [x0, y0]: [number, number],
  [x1, y1]: [number, number],
  rules: RuleSegment[],
): void {
  if (Math.abs(y1 - y0) <= STRAIGHT_TOLERANCE && Math.abs(x1 - x0) > STRAIGHT_TOLERANCE) {
    rules.push({
      orientation: 'horizontal',
      position: (y0 + y1) / 2,
      from: Math.min(x0, x1),
      to: Math.max(x0, x1),
    });
  } else if (Math.abs(x1 - x0) <= STRAIGHT_TOLERANCE && Math.abs(y1 - y0) > STRAIGHT_TOLERANCE) {
    rules.push({
      orientation: 'vertical',
      position: (x0 + x1) / 2,
      from: Math.min(y0, y1),
      to: Math.max(y0, y1),
    });
  }
}

/** A closed path of axis-parallel edges whose bounding box is a thin bar: the bar's centre line. */
function addThinRectangle(subpath: [number, number][], rules: RuleSegment[]): void {
  if (subpath.length < 4) return;
  for (let i = 1; i < subpath.length; i++) {
    const [x0, y0] = subpath[i - 1]!;
    const [x1, y1] = subpath[i]!;
    if (Math.abs(x1 - x0) > STRAIGHT_TOLERANCE && Math.abs(y1 - y0) > STRAIGHT_TOLERANCE) return;
  }
  const xs = subpath.map(([px]) => px);
  const ys = subpath.map(([, py]) => py);
  const left = Math.min(...xs);
  const right = Math.max(...xs);
  const top = Math.min(...ys);
  const bottom = Math.max(...ys);
  const width = right - left;
  const height = bottom - top;
  if (height <= MAX_RULE_THICKNESS && width >= Math.max(MIN_RULE_LENGTH, 2 * height)) {
    rules.push({ orientation: 'horizontal', position: (top + bottom) / 2, from: left, to: right });
  } else if (width <= MAX_RULE_THICKNESS && height >= Math.max(MIN_RULE_LENGTH, 2 * width)) {
    rules.push({ orientation: 'vertical', position: (left + right) / 2, from: top, to: bottom });
  }
}

/** m applied first, then n. */
function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}

function isMatrix(value: unknown): value is Matrix {
  return (
    (Array.isArray(value) || ArrayBuffer.isView(value)) &&
    (value as ArrayLike<unknown>).length === 6 &&
    Array.from(value as ArrayLike<unknown>).every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}
