import { UnreadableDocumentError } from '../domain/errors.ts';
import { Report, type ReportItem } from '../domain/report.ts';
import { median } from '../domain/statistics.ts';
import { joinWrapped } from '../domain/text.ts';
import { HeadingContext } from './plan-table.ts';
import { numberingWarnings } from './read-action-plan.ts';
import type { Box, TextLine, TextractDocument } from './textract-document.ts';
import { readTitleFacts } from './title-facts.ts';

/**
 * An inspection report's summary of recommendations (or of priority and key concerns) → its items.
 * The report is read from its text lines and their positions, which Textract (LINE blocks) and the
 * local analyser both give: a numbered paragraph starts at the left margin with its number ("5.1",
 * "12."), its text and wrapped lines stand at the text column; a line at the left margin without a
 * number is a heading ("Main recommendations To HMPPS and The Governor", "Daily life", "Key
 * concerns"). Running headers, footers and page numbers are dropped. Where Textract's layout
 * analysis ran (on AWS, FeatureTypes LAYOUT), its LAYOUT_SECTION_HEADER / LAYOUT_TITLE lines are
 * headings and its LAYOUT_HEADER / FOOTER / PAGE_NUMBER lines are dropped, whatever their position.
 */
export function readReportDocument(document: TextractDocument, source: string): Report {
  const rows = withoutRunningHeadersAndFooters(document).flatMap((page) => visualRows(page.lines));
  const items: ReportItem[] = [];
  const warnings: string[] = [];
  const headings = new HeadingContext('recommendation');
  let current: ReportItem | null = null;
  let previous: VisualRow | null = null;
  const pitch = linePitch(rows);

  for (const row of rows) {
    const numbered = NUMBERED.exec(row.text);
    if (numbered && isAtLeftMargin(row, rows)) {
      current = {
        ref: numbered[1]!,
        ...headings.current(),
        text: (numbered[2] ?? '').trim(),
      };
      items.push(current);
    } else if (
      current &&
      previous &&
      !HEADING_LAYOUTS.has(row.layout ?? '') &&
      continuesParagraph(row, previous, current, rows, pitch)
    ) {
      current.text = joinWrapped(current.text, row.text);
    } else if (!isTitleFact(row.text)) {
      headings.apply(row.text);
      current = null;
    }
    previous = row;
  }

  if (items.length === 0) {
    throw new UnreadableDocumentError(
      'NO_RECOMMENDATIONS_FOUND',
      'No numbered recommendations or concerns were found: an inspection report lists them as numbered paragraphs under headings such as "Main recommendations" or "Priority concerns"',
    );
  }
  const facts = readTitleFacts(rows.slice(0, 12).map((row) => row.text));
  for (const item of items) {
    item.text = item.text.replace(/\s+/g, ' ').trim();
    if (!item.text) warnings.push(`Recommendation ${item.ref} is printed without any text`);
  }
  return Report.parse({
    source,
    establishment: facts.establishment,
    reportPublished: facts.reportPublished,
    inspection: facts.inspection,
    items,
    warnings: [...warnings, ...duplicateWarnings(items), ...numberingWarnings(items)],
  });
}

/** A number at the start of a paragraph, with its text; the text may be missing, as printed. */
const NUMBERED = /^(\d{1,2}(?:\.\d{1,3})?)\.?(?:\s+(\S.*))?$/;

interface VisualRow {
  text: string;
  box: Box;
  page: number;
  layout?: string;
}

/** Lines Textract's layout analysis calls headings, or running text around the page. */
const HEADING_LAYOUTS = new Set(['LAYOUT_TITLE', 'LAYOUT_SECTION_HEADER']);
const RUNNING_LAYOUTS = new Set(['LAYOUT_HEADER', 'LAYOUT_FOOTER', 'LAYOUT_PAGE_NUMBER']);

/** Lines on one baseline (a number and its text may come as two LINEs) joined left to right. */
function visualRows(lines: readonly (TextLine & { page: number })[]): VisualRow[] {
  const rows: VisualRow[] = [];
  for (const line of lines) {
    const row = rows.find(
      (r) => r.page === line.page && Math.min(r.box.bottom, line.box.bottom) - Math.max(r.box.top, line.box.top) > 0.5 * (line.box.bottom - line.box.top),
    );
    if (row) {
      const parts = [row, { text: line.text, box: line.box }].sort((a, b) => a.box.left - b.box.left);
      row.text = parts.map((part) => part.text).join(' ');
      row.box = {
        left: Math.min(row.box.left, line.box.left),
        top: Math.min(row.box.top, line.box.top),
        right: Math.max(row.box.right, line.box.right),
        bottom: Math.max(row.box.bottom, line.box.bottom),
      };
    } else {
      rows.push({ text: line.text, box: { ...line.box }, page: line.page, ...(line.layout ? { layout: line.layout } : {}) });
    }
  }
  return rows.sort((a, b) => a.page - b.page || a.box.top - b.box.top);
}

/** The left margin: where most numbered paragraphs start. */
function isAtLeftMargin(row: VisualRow, rows: readonly VisualRow[]): boolean {
  return row.box.left <= leftMargin(rows) + 0.015;
}

const marginCache = new WeakMap<readonly VisualRow[], number>();
function leftMargin(rows: readonly VisualRow[]): number {
  let margin = marginCache.get(rows);
  if (margin === undefined) {
    const numberedLefts = rows.filter((row) => NUMBERED.test(row.text)).map((row) => row.box.left);
    margin = median(numberedLefts.length > 0 ? numberedLefts : rows.map((row) => row.box.left));
    marginCache.set(rows, margin);
  }
  return margin;
}

/**
 * A line goes on with the paragraph above when it stands at the text column (indented past the
 * margin), or, at the margin, when it follows the paragraph's last line closely and that line did not
 * end a sentence (a hanging indent the producer did not keep).
 */
function continuesParagraph(
  row: VisualRow,
  previous: VisualRow,
  item: ReportItem,
  rows: readonly VisualRow[],
  pitch: number,
): boolean {
  if (!isAtLeftMargin(row, rows)) return true;
  const closeBelow = row.page === previous.page && row.box.top - previous.box.top <= 1.3 * pitch;
  return closeBelow && !/[.)]$/.test(item.text.trim()) && /^[\p{Ll}(]/u.test(row.text);
}

function linePitch(rows: readonly VisualRow[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.page === rows[i - 1]!.page) gaps.push(rows[i]!.box.top - rows[i - 1]!.box.top);
  }
  return median(gaps) || 0.02;
}

function isTitleFact(text: string): boolean {
  return /\b(report\s+published|inspection\s*:|date\s+of\s+publication)\b/i.test(text);
}

/**
 * Lines repeated near the top or bottom of most pages (a running header or footer, with its page
 * number made neutral) and lone page numbers are not part of the text.
 */
function withoutRunningHeadersAndFooters(document: TextractDocument) {
  const pages = document.pages;
  const edge = (line: TextLine) => line.box.top < 0.07 || line.box.bottom > 0.93;
  const signature = (line: TextLine) => line.text.replace(/\d+/g, '#').toLowerCase();
  const counts = new Map<string, number>();
  for (const page of pages) {
    for (const key of new Set(page.lines.filter(edge).map(signature))) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const repeated = (line: TextLine) => pages.length >= 3 && (counts.get(signature(line)) ?? 0) >= Math.ceil(pages.length / 2);
  const pageNumber = (line: TextLine) => /^(page\s+)?\d{1,4}(\s+of\s+\d{1,4})?$/i.test(line.text.trim());
  return pages.map((page) => ({
    page: page.page,
    lines: page.lines
      .filter((line) => !RUNNING_LAYOUTS.has(line.layout ?? ''))
      .filter((line) => !(edge(line) && (repeated(line) || pageNumber(line))))
      .map((line) => ({ ...line, page: page.page })),
  }));
}

function duplicateWarnings(items: readonly ReportItem[]): string[] {
  const seen = new Set<string>();
  const warnings: string[] = [];
  for (const item of items) {
    if (seen.has(item.ref)) warnings.push(`Recommendation number ${item.ref} appears twice`);
    seen.add(item.ref);
  }
  return warnings;
}
