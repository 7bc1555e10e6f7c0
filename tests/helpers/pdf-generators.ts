/**
 * Prints table rows (a fixture's rows.tsv) as a PDF the way other producers than LibreOffice would:
 * with pdf-lib or PDFKit, in a standard font with its real glyph widths, ruled as a full grid, with
 * horizontal rules only or not at all, on landscape or portrait pages.
 *
 * The table is laid out as a word processor prints an action plan: the header row starts the table on
 * every page, a row that does not fit is cut at the foot of the page and goes on at the top of the
 * next, a section row (only its first cell filled) is one cell across the table, and an item's ref,
 * text and decision are one cell merged down beside its action rows. A merged cell is drawn by leaving
 * out the lines inside it: no vertical lines across a section row, no horizontal lines between an
 * item's action rows in its merged columns.
 */

import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import PDFKitDocument from 'pdfkit';

export type PdfProducer = 'pdf-lib' | 'pdfkit';
export type PdfFont = 'Helvetica' | 'Times-Roman';

export interface PdfTableLayout {
  producer: PdfProducer;
  font: PdfFont;
  /** A full grid of cell borders, only the horizontal lines between rows, or no lines at all. */
  rules: 'grid' | 'horizontal' | 'none';
  /** Points. */
  pageWidth: number;
  pageHeight: number;
  margin: number;
  fontSize: number;
  /** Points, one per column; together at most the width between the margins. */
  columnWidths: number[];
  /** Text lines above the table on page 1, and after it. */
  titleLines?: string[];
  trailingLines?: string[];
}

export const A4_LANDSCAPE = { pageWidth: 841.89, pageHeight: 595.28 } as const;
export const A4_PORTRAIT = { pageWidth: 595.28, pageHeight: 841.89 } as const;

const CELL_PADDING = 4;
const LINE_SPACING = 1.2;
/** Where the baseline sits in a line's slot, as a fraction of the font size below the slot's top. */
const BASELINE_DROP = 0.95;
const RULE_WIDTH = 0.5;

export async function renderRowsAsPdf(
  header: string[],
  rows: string[][],
  layout: PdfTableLayout,
): Promise<Uint8Array> {
  const surface = layout.producer === 'pdf-lib' ? await pdfLibSurface(layout) : pdfKitSurface(layout);
  const pages = new PageFlow(layout, surface.measure);
  for (const text of layout.titleLines ?? []) pages.placeTextLine(text);
  if ((layout.titleLines ?? []).length > 0) pages.skipLine();
  pages.startTable(header);
  for (const row of flowRowsOf(rows, layout, surface.measure)) pages.placeRow(row);
  pages.endTable();
  if ((layout.trailingLines ?? []).length > 0) pages.skipLine();
  for (const text of layout.trailingLines ?? []) pages.placeTextLine(text);

  for (const page of pages.finish()) {
    surface.addPage();
    for (const text of page.texts) surface.text(text.text, text.x, text.baseline);
    for (const rule of page.rules) surface.line(rule);
  }
  return surface.save();
}

/**
 * How the tests print a six-column action plan when the producer is not what they test: pdf-lib,
 * Helvetica at 9pt, a full grid, A4 landscape with 36pt margins, columns that fill the width.
 */
export const ACTION_PLAN_TABLE_LAYOUT: PdfTableLayout = {
  producer: 'pdf-lib',
  font: 'Helvetica',
  rules: 'grid',
  ...A4_LANDSCAPE,
  margin: 36,
  fontSize: 9,
  columnWidths: [40, 180, 110, 200, 120, 119.89],
};

/** Six columns as wide as the Liverpool 2018 plan's rows want them at 9pt on A4 landscape. */
export const LIVERPOOL_COLUMN_WIDTHS = [50, 200, 90, 200, 150, 79.89];

/**
 * A six-column action plan printed in `ACTION_PLAN_TABLE_LAYOUT`, with its title lines above the
 * table (and summary lines after it), in that layout's columns unless others are given.
 */
export function renderActionPlanPdf(
  header: string[],
  rows: string[][],
  { titleLines, trailingLines, columnWidths = ACTION_PLAN_TABLE_LAYOUT.columnWidths }: ActionPlanPrint,
): Promise<Uint8Array> {
  return renderRowsAsPdf(header, rows, {
    ...ACTION_PLAN_TABLE_LAYOUT,
    columnWidths,
    titleLines,
    ...(trailingLines ? { trailingLines } : {}),
  });
}

export interface ActionPlanPrint {
  /** "Action Plan: HMP Brixton", "Report Published: 4 February 2026". */
  titleLines: string[];
  trailingLines?: string[];
  columnWidths?: number[];
}

// ---------------------------------------------------------------------------------------------
// Producers

interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Draws on pages in points from the top-left corner, whatever the producer's own coordinates. */
interface Surface {
  /** Width of the text at the layout's font size. */
  measure: (text: string) => number;
  addPage: () => void;
  text: (text: string, x: number, baseline: number) => void;
  line: (rule: Rule) => void;
  save: () => Promise<Uint8Array>;
}

async function pdfLibSurface(layout: PdfTableLayout): Promise<Surface> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(
    layout.font === 'Helvetica' ? StandardFonts.Helvetica : StandardFonts.TimesRoman,
  );
  const { pageWidth, pageHeight, fontSize } = layout;
  let page = document.addPage([pageWidth, pageHeight]);
  let pages = 0;
  return {
    // pdf-lib measures with kerning but draws without it: measure what it draws, glyph by glyph.
    measure: (text) => [...text].reduce((width, char) => width + font.widthOfTextAtSize(char, fontSize), 0),
    addPage: () => {
      if (pages++ > 0) page = document.addPage([pageWidth, pageHeight]);
    },
    text: (text, x, baseline) => page.drawText(text, { x, y: pageHeight - baseline, size: fontSize, font }),
    line: ({ x0, y0, x1, y1 }) =>
      page.drawLine({
        start: { x: x0, y: pageHeight - y0 },
        end: { x: x1, y: pageHeight - y1 },
        thickness: RULE_WIDTH,
        color: rgb(0, 0, 0),
      }),
    save: () => document.save(),
  };
}

function pdfKitSurface(layout: PdfTableLayout): Surface {
  const { pageWidth, pageHeight, fontSize } = layout;
  const document = new PDFKitDocument({ autoFirstPage: false, size: [pageWidth, pageHeight], margin: 0 });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Uint8Array>((resolve) => {
    document.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
  });
  document.font(layout.font).fontSize(fontSize);
  return {
    measure: (text) => document.widthOfString(text),
    addPage: () => {
      document.addPage({ size: [pageWidth, pageHeight], margin: 0 });
      document.font(layout.font).fontSize(fontSize);
    },
    text: (text, x, baseline) => {
      document.text(text, x, baseline, { lineBreak: false, baseline: 'alphabetic' });
    },
    line: ({ x0, y0, x1, y1 }) => {
      document.moveTo(x0, y0).lineTo(x1, y1).lineWidth(RULE_WIDTH).stroke();
    },
    save: () => {
      document.end();
      return finished;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Text flow

/** Text drawn in one rectangle of the grid: a cell, a section row, or an item's merged column. */
interface TextArea {
  firstColumn: number;
  lastColumn: number;
  lines: string[];
  placedLines: number;
  /** A merged column's text runs on down its rows: where its next line goes, and on which page. */
  cursor?: { page: number; y: number };
}

/** A table row as it flows down the pages. */
interface FlowRow {
  ownAreas: TextArea[];
  /** An item's merged columns, drawn across this row and the item's other rows. */
  sharedAreas: TextArea[];
  /** The item's last row, which must make room for what is left of the shared areas. */
  endsSharedAreas: boolean;
}

function isBlank(text: string | undefined): boolean {
  return (text ?? '').trim().length === 0;
}

function isSectionRow(row: string[]): boolean {
  return !isBlank(row[0]) && row.slice(1).every((cell) => isBlank(cell));
}

/** Greedy wrapping of each paragraph into lines no wider than `width`. */
function wrap(text: string, width: number, measure: (text: string) => number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.trim().split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (line && measure(candidate) > width) {
        lines.push(line);
        line = word;
      } else {
        line = candidate;
      }
    }
    if (line) lines.push(line);
  }
  return lines;
}

function columnLefts(layout: PdfTableLayout): number[] {
  const lefts = [layout.margin];
  for (const width of layout.columnWidths) lefts.push(lefts.at(-1)! + width);
  return lefts;
}

function textArea(
  text: string,
  firstColumn: number,
  lastColumn: number,
  layout: PdfTableLayout,
  measure: (text: string) => number,
): TextArea {
  const edges = columnLefts(layout);
  const width = edges[lastColumn + 1]! - edges[firstColumn]! - 2 * CELL_PADDING;
  return { firstColumn, lastColumn, lines: isBlank(text) ? [] : wrap(text, width, measure), placedLines: 0 };
}

function flowRowsOf(rows: string[][], layout: PdfTableLayout, measure: (text: string) => number): FlowRow[] {
  const columnCount = layout.columnWidths.length;
  const allColumns = Array.from({ length: columnCount }, (_, col) => col);
  const areasOf = (row: string[], columns: number[]) =>
    columns.map((col) => textArea(row[col] ?? '', col, col, layout, measure));
  const flowRows: FlowRow[] = [];
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    if (isSectionRow(row)) {
      flowRows.push({
        ownAreas: [textArea(row[0]!, 0, columnCount - 1, layout, measure)],
        sharedAreas: [],
        endsSharedAreas: false,
      });
      continue;
    }
    let itemEnd = index + 1;
    if (!isBlank(row[0])) while (itemEnd < rows.length && isBlank(rows[itemEnd]![0])) itemEnd++;
    const followers = rows.slice(index + 1, itemEnd);
    const firstFollowerColumn = allColumns.find((col) => followers.some((f) => !isBlank(f[col])));
    const mergedColumns =
      followers.length === 0
        ? []
        : allColumns.filter((col) => col < (firstFollowerColumn ?? columnCount) && !isBlank(row[col]));
    const sharedAreas = areasOf(row, mergedColumns);
    const ownColumns = allColumns.filter((col) => !mergedColumns.includes(col));
    [row, ...followers].forEach((itemRow, offset) => {
      flowRows.push({
        ownAreas: areasOf(itemRow, ownColumns),
        sharedAreas,
        endsSharedAreas: offset === followers.length,
      });
    });
    index += followers.length;
  }
  return flowRows;
}

// ---------------------------------------------------------------------------------------------
// Pages

interface PlacedText {
  text: string;
  x: number;
  baseline: number;
}

interface PlacedRow {
  top: number;
  height: number;
  areaByColumn: TextArea[];
}

interface PageDraft {
  texts: PlacedText[];
  rules: Rule[];
  /** Table rows placed on the page whose rules are not drawn yet. */
  rows: PlacedRow[];
  y: number;
}

class PageFlow {
  private readonly finished: PageDraft[] = [];
  private page: PageDraft;
  private header: string[] | null = null;
  private readonly lineHeight: number;
  private readonly edges: number[];

  constructor(
    private readonly layout: PdfTableLayout,
    private readonly measure: (text: string) => number,
  ) {
    this.lineHeight = LINE_SPACING * layout.fontSize;
    this.edges = columnLefts(layout);
    this.page = this.newPage();
  }

  placeTextLine(text: string): void {
    const { margin, pageWidth, fontSize } = this.layout;
    for (const line of wrap(text, pageWidth - 2 * margin, this.measure)) {
      if (this.page.y + this.lineHeight > this.bottom()) this.startNextPage();
      this.page.texts.push({ text: line, x: margin, baseline: this.page.y + BASELINE_DROP * fontSize });
      this.page.y += this.lineHeight;
    }
  }

  skipLine(): void {
    this.page.y += this.lineHeight;
  }

  startTable(header: string[]): void {
    this.header = header;
    this.placeHeader();
  }

  endTable(): void {
    this.closeTable();
    this.header = null;
  }

  placeRow(row: FlowRow): void {
    for (;;) {
      const needed = this.slotsNeeded(row);
      const available = this.slotsAvailable();
      if (needed <= available) {
        this.placeRowFragment(row, needed);
        return;
      }
      if (available >= 1) this.placeRowFragment(row, available);
      this.startNextPage();
    }
  }

  finish(): PageDraft[] {
    this.finished.push(this.page);
    return this.finished;
  }

  private newPage(): PageDraft {
    return { texts: [], rules: [], rows: [], y: this.layout.margin };
  }

  private bottom(): number {
    return this.layout.pageHeight - this.layout.margin;
  }

  private startNextPage(): void {
    this.closeTable();
    this.finished.push(this.page);
    this.page = this.newPage();
    if (this.header) this.placeHeader();
  }

  private placeHeader(): void {
    const header = this.header!;
    const areas = header.map((text, col) => textArea(text, col, col, this.layout, this.measure));
    const row: FlowRow = { ownAreas: areas, sharedAreas: [], endsSharedAreas: false };
    this.placeRowFragment(row, this.slotsNeeded(row));
  }

  private slotsNeeded(row: FlowRow): number {
    const own = row.ownAreas.map((area) => area.lines.length - area.placedLines);
    const shared = row.endsSharedAreas
      ? row.sharedAreas.map((area) => {
          const cursor = this.cursorOf(area, this.page.y);
          const bottom = cursor + (area.lines.length - area.placedLines) * this.lineHeight + CELL_PADDING;
          return Math.ceil((bottom - this.page.y - 2 * CELL_PADDING) / this.lineHeight - 1e-6);
        })
      : [];
    return Math.max(1, ...own, ...shared);
  }

  /** Where a merged column's next line goes on this page: below its last line, or atop a new row. */
  private cursorOf(area: TextArea, rowTop: number): number {
    return area.cursor?.page === this.finished.length ? area.cursor.y : rowTop + CELL_PADDING;
  }

  private slotsAvailable(): number {
    return Math.floor((this.bottom() - this.page.y - 2 * CELL_PADDING) / this.lineHeight);
  }

  private placeRowFragment(row: FlowRow, slots: number): void {
    const top = this.page.y;
    const placed: PlacedRow = { top, height: slots * this.lineHeight + 2 * CELL_PADDING, areaByColumn: [] };
    const x = (area: TextArea) => this.edges[area.firstColumn]! + CELL_PADDING;
    for (const area of row.ownAreas) {
      const lines = area.lines.slice(area.placedLines, area.placedLines + slots);
      area.placedLines += lines.length;
      lines.forEach((text, slot) => {
        const slotTop = top + CELL_PADDING + slot * this.lineHeight;
        this.page.texts.push({ text, x: x(area), baseline: slotTop + BASELINE_DROP * this.layout.fontSize });
      });
    }
    const rowBottom = top + placed.height - CELL_PADDING + 1e-6;
    for (const area of row.sharedAreas) {
      let y = this.cursorOf(area, top);
      while (area.placedLines < area.lines.length && y + this.lineHeight <= rowBottom) {
        const text = area.lines[area.placedLines++]!;
        this.page.texts.push({ text, x: x(area), baseline: y + BASELINE_DROP * this.layout.fontSize });
        y += this.lineHeight;
      }
      area.cursor = { page: this.finished.length, y };
    }
    for (const area of [...row.ownAreas, ...row.sharedAreas]) {
      for (let col = area.firstColumn; col <= area.lastColumn; col++) placed.areaByColumn[col] = area;
    }
    this.page.rows.push(placed);
    this.page.y = top + placed.height;
  }

  /** Draws the rules of the table rows placed on this page. */
  private closeTable(): void {
    const rows = this.page.rows;
    this.page.rows = [];
    if (rows.length === 0) return;
    if (this.layout.rules === 'none') return;
    const rules = this.page.rules;
    const columns = this.layout.columnWidths.length;
    rows.forEach((row, index) => {
      const above = rows[index - 1];
      // The top edge, left out in the columns where an area goes on from the row above.
      let runStart: number | null = null;
      for (let col = 0; col <= columns; col++) {
        const open = col < columns && !(above && above.areaByColumn[col] === row.areaByColumn[col]);
        if (open && runStart === null) runStart = col;
        if (!open && runStart !== null) {
          rules.push({ x0: this.edges[runStart]!, y0: row.top, x1: this.edges[col]!, y1: row.top });
          runStart = null;
        }
      }
      if (this.layout.rules === 'grid') {
        for (let edge = 0; edge <= columns; edge++) {
          const inside = edge > 0 && edge < columns && row.areaByColumn[edge - 1] === row.areaByColumn[edge];
          if (!inside)
            rules.push({
              x0: this.edges[edge]!,
              y0: row.top,
              x1: this.edges[edge]!,
              y1: row.top + row.height,
            });
        }
      }
    });
    const last = rows.at(-1)!;
    const bottom = last.top + last.height;
    rules.push({ x0: this.edges[0]!, y0: bottom, x1: this.edges[columns]!, y1: bottom });
  }
}

// ---------------------------------------------------------------------------------------------
// Small hand-drawn PDFs

/** What one page shows, in points from the page's top-left corner. */
export interface DrawnPage {
  width?: number;
  height?: number;
  /** Text at a baseline, in Helvetica. */
  texts?: { text: string; x: number; baseline: number; size?: number }[];
  /** Stroked lines, 0.5pt wide. */
  lines?: Rule[];
  /** Filled rectangles (a thin one draws a border as some producers do). */
  rectangles?: { left: number; top: number; width: number; height: number }[];
  /** A picture covering the page, as a scanner makes it. */
  scannedImage?: boolean;
}

/** A one-pixel PNG. */
const PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Pages drawn with pdf-lib (A4 portrait unless sized). */
export async function drawPdf(pages: DrawnPage[]): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const drawn of pages) {
    const width = drawn.width ?? A4_PORTRAIT.pageWidth;
    const height = drawn.height ?? A4_PORTRAIT.pageHeight;
    const page = document.addPage([width, height]);
    if (drawn.scannedImage) {
      const image = await document.embedPng(PIXEL_PNG);
      page.drawImage(image, { x: 0, y: 0, width, height });
    }
    for (const { text, x, baseline, size } of drawn.texts ?? []) {
      page.drawText(text, { x, y: height - baseline, size: size ?? 10, font });
    }
    for (const { x0, y0, x1, y1 } of drawn.lines ?? []) {
      page.drawLine({
        start: { x: x0, y: height - y0 },
        end: { x: x1, y: height - y1 },
        thickness: RULE_WIDTH,
      });
    }
    for (const { left, top, width: w, height: h } of drawn.rectangles ?? []) {
      page.drawRectangle({ x: left, y: height - top - h, width: w, height: h, color: rgb(0, 0, 0) });
    }
  }
  return document.save();
}

/** Text in Helvetica, measured as pdf-lib draws it (no kerning), for checking word boxes. */
export async function helveticaWidth(text: string, size: number): Promise<number> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  return [...text].reduce((width, char) => width + font.widthOfTextAtSize(char, size), 0);
}

/** A one-page PDF encrypted by PDFKit: with a user password it cannot be opened without it. */
export function encryptedPdf(passwords: {
  userPassword?: string;
  ownerPassword: string;
}): Promise<Uint8Array> {
  const document = new PDFKitDocument({ size: 'A4', pdfVersion: '1.7', ...passwords });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Uint8Array>((resolve) => {
    document.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
  });
  document.font('Helvetica').fontSize(12).text('Action Plan: HMP Example', 72, 72);
  document.end();
  return finished;
}
