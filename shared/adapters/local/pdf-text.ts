/**
 * Positioned glyphs → words → lines. The order of glyphs in the content stream is not trusted:
 * glyphs are grouped by baseline and read left to right, and a word ends at a space or where the
 * gap to the next glyph is wider than letters are ever set apart.
 */

import type { PageGlyph } from './pdf-page-content.ts';
import type { Box, LineModel, WordModel } from './textract-block-builder.ts';

export interface PdfWord extends WordModel {
  baseline: number;
  /** Font size in points. */
  size: number;
}

/** Glyphs whose baselines differ by less than this share a line (fraction of the font size). */
const SAME_BASELINE = 0.25;
/** A gap wider than this between glyphs separates words (fraction of the font size). */
const WORD_GAP = 0.15;
/** A glyph that starts this far left of the previous one's start is the same glyph printed again. */
const OVERPRINT = 0.15;

export function wordsOf(glyphs: readonly PageGlyph[]): PdfWord[] {
  const words: PdfWord[] = [];
  for (const line of baselineGroups(glyphs, (glyph) => glyph)) {
    line.sort((a, b) => a.left - b.left);
    let open: { glyphs: PageGlyph[]; right: number } | null = null;
    const close = () => {
      if (open) words.push(wordFrom(open.glyphs));
      open = null;
    };
    let previous: PageGlyph | null = null;
    for (const glyph of line) {
      if (previous && isOverprint(previous, glyph)) continue;
      previous = glyph;
      if (glyph.text === ' ') {
        close();
        continue;
      }
      const current: { glyphs: PageGlyph[]; right: number } | null = open;
      if (current && glyph.left - current.right <= WORD_GAP * glyph.size) {
        current.glyphs.push(glyph);
        current.right = Math.max(current.right, glyph.right);
      } else {
        close();
        open = { glyphs: [glyph], right: glyph.right };
      }
    }
    close();
  }
  return words;
}

/** Fake bold: the same glyph printed twice, a hair apart. */
function isOverprint(previous: PageGlyph, glyph: PageGlyph): boolean {
  return glyph.text === previous.text && glyph.left - previous.left < OVERPRINT * glyph.size;
}

function wordFrom(glyphs: PageGlyph[]): PdfWord {
  const left = Math.min(...glyphs.map((g) => g.left));
  const right = Math.max(...glyphs.map((g) => g.right));
  const top = Math.min(...glyphs.map((g) => g.top));
  const bottom = Math.max(...glyphs.map((g) => g.bottom));
  const first = glyphs[0]!;
  return {
    text: glyphs.map((g) => g.text).join(''),
    box: { left, top, width: right - left, height: bottom - top },
    baseline: first.baseline,
    size: Math.max(...glyphs.map((g) => g.size)),
  };
}

/**
 * Words → lines, each read left to right. With `maxGap` (a fraction of the font size), a line is
 * also split where the gap between two words is wider: text in separate columns is separate lines.
 */
export function linesOf(words: readonly PdfWord[], maxGap = Number.POSITIVE_INFINITY): LineModel[] {
  const lines: LineModel[] = [];
  for (const group of baselineGroups(words, (word) => word)) {
    group.sort((a, b) => a.box.left - b.box.left);
    let line: PdfWord[] = [];
    for (const word of group) {
      const last = line.at(-1);
      if (
        last &&
        word.box.left - (last.box.left + last.box.width) > maxGap * Math.max(word.size, last.size)
      ) {
        lines.push({ words: line });
        line = [];
      }
      line.push(word);
    }
    if (line.length > 0) lines.push({ words: line });
  }
  return lines;
}

/** Items grouped by baseline, groups top to bottom. */
function baselineGroups<T>(items: readonly T[], at: (item: T) => { baseline: number; size: number }): T[][] {
  const sorted = [...items].sort((a, b) => at(a).baseline - at(b).baseline);
  const groups: T[][] = [];
  let groupBaseline = Number.NEGATIVE_INFINITY;
  for (const item of sorted) {
    const { baseline, size } = at(item);
    const group = groups.at(-1);
    if (group && baseline - groupBaseline <= SAME_BASELINE * size) {
      group.push(item);
    } else {
      groups.push([item]);
      groupBaseline = baseline;
    }
  }
  return groups;
}

export function boxOfWords(words: readonly WordModel[]): Box {
  const left = Math.min(...words.map((w) => w.box.left));
  const top = Math.min(...words.map((w) => w.box.top));
  const right = Math.max(...words.map((w) => w.box.left + w.box.width));
  const bottom = Math.max(...words.map((w) => w.box.top + w.box.height));
  return { left, top, width: right - left, height: bottom - top };
}

/** The word with its box cut to `box` (text that spills over a cell's edge or the page's). */
export function clipWord(word: PdfWord, box: Box): PdfWord {
  const { left, top, width, height } = word.box;
  const clippedLeft = Math.max(left, box.left);
  const clippedTop = Math.max(top, box.top);
  const clippedRight = Math.min(left + width, box.left + box.width);
  const clippedBottom = Math.min(top + height, box.top + box.height);
  if (
    clippedLeft === left &&
    clippedTop === top &&
    clippedRight === left + width &&
    clippedBottom === top + height
  ) {
    return word;
  }
  return {
    ...word,
    box: {
      left: clippedLeft,
      top: clippedTop,
      width: Math.max(0, clippedRight - clippedLeft),
      height: Math.max(0, clippedBottom - clippedTop),
    },
  };
}
