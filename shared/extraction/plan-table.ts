import { describeLocation, UnreadableDocumentError } from '../domain/errors.ts';
import { parseOwnerCell } from '../domain/owners.ts';
import { collapseSpaces } from '../domain/text.ts';
import type { Action, Decision, ItemKind, PlanFormat, PlanItem } from '../domain/plan.ts';
import {
  decisionOfWording,
  decisionVocabulariesAsPrinted,
  hasDecisionColumn,
  ITEM_KIND_RECORDS,
  PLAN_FORMAT_RECORDS,
  type PlanFormatRecord,
  planFormatRecord,
} from '../domain/plan-formats.ts';
import { parseTargetCell } from '../domain/target-dates.ts';
import type { SourceRow } from './table-stitching.ts';

/**
 * Rows of an action-plan table → plan items. Columns are found by their header text, never by
 * position; the format is recognised by the cues of the format records (plan-formats.ts); rows above items
 * set their kind, addressee and section; an item's action rows are grouped under it.
 */

export interface PlanTableRow {
  cells: string[];
  sources: SourceRow[];
  spansAllColumns?: boolean;
}

export interface PlanTable {
  header: string[];
  rows: PlanTableRow[];
}

export interface PlanTableReading {
  format: PlanFormat;
  items: PlanItem[];
  warnings: string[];
}

export type ColumnRole = 'ref' | 'text' | 'decision' | 'response' | 'owner' | 'target';

export type ColumnMap = Partial<Record<ColumnRole, number>>;

/** Header wording → role, most specific first: a column takes the first role whose pattern matches. */
const COLUMN_PATTERNS: [ColumnRole, RegExp][] = [
  [
    'ref',
    /^(?:(?:rec(?:ommendation)?s?|concern|para(?:graph)?|item)\s*)?(?:no|nos|number|num|ref|reference|#)$|^(?:rec|ref(?:erence)?|para(?:graph)?|#)$/,
  ],
  // Besides "decision", the words each format's record gives for its decision column ("agreed").
  ['decision', /\bdecision\b/],
  ['target', /\b(?:target|timescale|deadline|due|completion date|date)\b|\bby when\b/],
  ['owner', /\b(?:responsib\w*|owner|lead|function|accountable)\b/],
  ['response', /\b(?:response|action|actions|progress)\b/],
  ['text', /\b(?:recommendations?|concerns?|findings?|issues?)\b/],
];

export function normaliseHeaderText(text: string): string {
  return text
    .toLowerCase()
    .replace(/^\s*\d+\s*[.)]?\s*/, '')
    .replace(/[^a-z0-9#]+/g, ' ')
    .trim();
}

export function mapColumns(header: readonly string[], formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): ColumnMap {
  const map: ColumnMap = {};
  const names = (role: ColumnRole, pattern: RegExp, wording: string): boolean =>
    pattern.test(wording) || (role === 'decision' && formats.some((format) => format.cues.decisionColumn?.test(wording)));
  header.forEach((text, column) => {
    const wording = normaliseHeaderText(text);
    if (!wording) return;
    for (const [role, pattern] of COLUMN_PATTERNS) {
      if (map[role] === undefined && names(role, pattern, wording)) {
        map[role] = column;
        return;
      }
    }
  });
  return map;
}

/** Whether a header names the columns of an action plan (a ref, the recommendation or concern, a response). */
export function isPlanHeader(header: readonly string[]): boolean {
  const map = mapColumns(header);
  return (
    map.ref !== undefined && map.text !== undefined && (map.response !== undefined || map.owner !== undefined)
  );
}

/** The decision a printed decision cell states, in any format's vocabulary (plan-formats.ts); null for none. */
export function parseDecision(cell: string, formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): Decision | null {
  return decisionOfWording(cell, formats);
}

export type Heading =
  | { type: 'kind'; kind: ItemKind; addressee: string | null }
  | { type: 'section'; section: string };

/** A one-cell row above items: a kind ("Key concerns"), a kind with its addressee, or a section. */
export function classifyHeading(text: string): Heading {
  const heading = collapseSpaces(text);
  for (const { heading: pattern, kind } of ITEM_KIND_RECORDS) {
    if (!pattern.test(heading)) continue;
    const to = /\bto\s+(.+)$/i.exec(heading);
    return { type: 'kind', kind, addressee: to?.[1] ? normaliseAddressee(to[1]) : null };
  }
  return { type: 'section', section: heading };
}

/**
 * What the rows above an item say about it: the rules for rows above items (tests/fixtures/README.md)
 * in one place, for plans and reports alike. A kind heading sets the kind, clears the section and sets
 * the addressee when it names one; any other heading is the section.
 */
export class HeadingContext {
  kind: ItemKind;
  addressee: string | null = null;
  section: string | null = null;

  constructor(defaultKind: ItemKind) {
    this.kind = defaultKind;
  }

  apply(text: string): void {
    const heading = classifyHeading(text);
    if (heading.type === 'kind') {
      this.kind = heading.kind;
      this.section = null;
      if (heading.addressee !== null) this.addressee = heading.addressee;
    } else {
      this.section = heading.section;
    }
  }

  /** The kind, addressee and section an item under these headings has. */
  current(): { kind: ItemKind; addressee: string | null; section: string | null } {
    return { kind: this.kind, addressee: this.addressee, section: this.section };
  }
}

function normaliseAddressee(text: string): string {
  return collapseSpaces(text)
    .replace(/\bthe\b/gi, 'the')
    .replace(
      /\b(governor|director|controller|minister)\b/gi,
      (word) => word[0]!.toUpperCase() + word.slice(1),
    );
}

const REF_PATTERN = /^(?:[A-Z]{1,3}\s?)?\d{1,3}(?:\.\d{1,3})*[a-z]?\.?$/;

export function isRefLike(text: string): boolean {
  return REF_PATTERN.test(text.trim());
}

function where(row: PlanTableRow): string {
  const first = row.sources[0];
  return first ? describeLocation(first) : 'unknown position';
}

/**
 * The table's format, by the cues of each format's record (plan-formats.ts), oldest format first.
 * With a decision column: the format its heading names, else the one whose vocabulary its cells use.
 * Without one: a format without a decision column whose items the text column's heading or a
 * heading row names.
 */
export function detectFormat(
  header: readonly string[],
  columns: ColumnMap,
  table: PlanTable,
  formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS,
): PlanFormat {
  if (columns.decision !== undefined) {
    const withDecisions = formats.filter(hasDecisionColumn);
    const wording = normaliseHeaderText(header[columns.decision] ?? '');
    const named = withDecisions.find((format) => format.cues.decisionHeader?.test(wording));
    if (named) return named.id;
    const decisions = new Set(
      table.rows.flatMap((row) => parseDecision(row.cells[columns.decision!] ?? '', formats) ?? []),
    );
    const used = withDecisions.find((format) => format.decisions.some(({ decision }) => decisions.has(decision)));
    if (used) return used.id;
    throw new UnreadableDocumentError(
      'UNRECOGNISED_TABLE',
      `The decision column "${header[columns.decision]}" holds no decision we know (${decisionVocabulariesAsPrinted(formats)})`,
    );
  }
  const withoutDecisions = formats.filter((format) => !hasDecisionColumn(format));
  const textWording = normaliseHeaderText(header[columns.text!] ?? '');
  const headingKinds = new Set(
    table.rows.flatMap((row) => {
      const heading = classifyHeading(row.cells.filter(Boolean).join(' '));
      return heading.type === 'kind' ? [heading.kind] : [];
    }),
  );
  const found = withoutDecisions.find(
    (format) => format.cues.textHeader?.test(textWording) || format.kinds.some((kind) => headingKinds.has(kind)),
  );
  if (found) return found.id;
  throw new UnreadableDocumentError(
    'UNRECOGNISED_TABLE',
    `The table has no decision column (${decisionVocabulariesAsPrinted(formats)}) and lists no ${withoutDecisions.map((format) => format.itemNoun.many).join(' or ')}; its columns are: ${header.map((h) => `"${collapseSpaces(h)}"`).join(', ')}`,
  );
}

export function readPlanTable(table: PlanTable, formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): PlanTableReading {
  const columns = mapColumns(table.header, formats);
  if (columns.ref === undefined) {
    throw new UnreadableDocumentError(
      'NO_REF_COLUMN',
      `The table has no recommendation number column; its columns are: ${table.header.map((h) => `"${collapseSpaces(h)}"`).join(', ')}`,
    );
  }
  if (columns.text === undefined) {
    throw new UnreadableDocumentError(
      'UNRECOGNISED_TABLE',
      `The table has no recommendation or concern column; its columns are: ${table.header.map((h) => `"${collapseSpaces(h)}"`).join(', ')}`,
    );
  }
  const format = detectFormat(table.header, columns, table, formats);
  const cell = (row: PlanTableRow, role: ColumnRole): string => {
    const column = columns[role];
    return column === undefined ? '' : collapseKeepingLines(row.cells[column] ?? '');
  };

  const warnings: string[] = [];
  const items: PlanItem[] = [];
  const itemRows = new Map<PlanItem, PlanTableRow>();
  const headings = new HeadingContext(planFormatRecord(format, formats).defaultKind);
  let current: PlanItem | null = null;

  for (const row of table.rows) {
    const filled = row.cells.map((text) => collapseSpaces(text)).filter(Boolean);
    if (filled.length === 0) continue;
    const ref = collapseSpaces(cell(row, 'ref'));

    if (isHeadingRow(row, columns, ref)) {
      headings.apply(filled.join(' '));
      current = null;
      continue;
    }

    if (ref) {
      if (!isRefLike(ref)) warnings.push(`Unusual recommendation number "${ref}" at ${where(row)}`);
      const decisionText = collapseSpaces(cell(row, 'decision'));
      const decision = parseDecision(decisionText, formats);
      if (decisionText && decision === null) {
        warnings.push(`Unknown decision "${decisionText}" for ${ref} at ${where(row)}`);
      }
      current = {
        ref: ref.replace(/\.$/, ''),
        ...headings.current(),
        text: plainText(cell(row, 'text')),
        decision,
        actions: [],
      };
      items.push(current);
      itemRows.set(current, row);
      addAction(current, row);
      continue;
    }

    if (!current) {
      warnings.push(
        `Row at ${where(row)} could not be mapped: it has no recommendation number and no item above it ("${truncate(filled.join(' '))}")`,
      );
      continue;
    }
    const moreText = plainText(cell(row, 'text'));
    if (moreText) current.text = collapseSpaces(`${current.text} ${moreText}`);
    const moreDecision = collapseSpaces(cell(row, 'decision'));
    if (moreDecision) {
      if (current.decision === null) current.decision = parseDecision(moreDecision, formats);
      if (current.decision === null)
        warnings.push(`Unknown decision "${moreDecision}" for ${current.ref} at ${where(row)}`);
    }
    addAction(current, row);
  }

  function addAction(item: PlanItem, row: PlanTableRow): void {
    const response = plainText(cell(row, 'response'));
    const ownerCell = cell(row, 'owner');
    const targetCell = cell(row, 'target');
    if (!response && !ownerCell.trim() && !targetCell.trim()) return;
    const action: Action = {
      text: response,
      owners: parseOwnerCell(ownerCell),
      targets: parseTargetCell(targetCell),
    };
    item.actions.push(action);
  }

  warnings.push(...duplicateRefWarnings(items, itemRows));
  return { format, items, warnings };
}

/**
 * A row above items: it spans the table, or it holds one short text in its first cells that is not
 * a recommendation number, with no decision, owner or target beside it.
 */
function isHeadingRow(row: PlanTableRow, columns: ColumnMap, ref: string): boolean {
  if (row.spansAllColumns) return true;
  const filledColumns = row.cells.flatMap((text, column) => (collapseSpaces(text) ? [column] : []));
  if (filledColumns.length === 0 || isRefLike(ref)) return false;
  const detailColumns = [columns.decision, columns.owner, columns.target, columns.response].filter(
    (c): c is number => c !== undefined,
  );
  if (filledColumns.length === 1) {
    const only = filledColumns[0]!;
    return only === columns.ref || (!detailColumns.includes(only) && only === 0);
  }
  // Without a merge, a long heading's words may fall into the first two or three cells.
  const contiguous = filledColumns.every((column, i) => column === filledColumns[0]! + i);
  const joined = filledColumns.map((column) => collapseSpaces(row.cells[column] ?? '')).join(' ');
  return (
    filledColumns[0] === 0 &&
    contiguous &&
    !filledColumns.some((column) => column === columns.decision || column === columns.target) &&
    row.cells.every((text) => !text.includes('\n')) &&
    joined.length <= 120 &&
    classifyHeading(joined).type === 'kind'
  );
}

function duplicateRefWarnings(items: readonly PlanItem[], rows: Map<PlanItem, PlanTableRow>): string[] {
  const seen = new Map<string, PlanItem>();
  const warnings: string[] = [];
  for (const item of items) {
    const first = seen.get(item.ref);
    if (first) {
      warnings.push(
        `Recommendation number ${item.ref} appears twice: at ${where(rows.get(first)!)} and at ${where(rows.get(item)!)}`,
      );
    } else {
      seen.set(item.ref, item);
    }
  }
  return warnings;
}

/** Collapse spaces on each line but keep the author's line breaks (owners and targets split on them). */
function collapseKeepingLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => collapseSpaces(line))
    .filter(Boolean)
    .join('\n');
}

/**
 * Prose for the plan: bullet glyphs at line starts and any markup dropped, white space collapsed. A
 * typed "- " is the author's text and stays, as the hand-checked plans keep it.
 */
export function plainText(text: string): string {
  return collapseSpaces(
    text
      .replace(/<\/?[a-z][^>]*>/gi, ' ')
      .replace(/\s[•●▪■◦‣⁃]\s/g, ' ')
      .split(/\r?\n/)
      .map((line) => line.replace(/^\s*[•●▪■◦‣⁃·]\s*/, ''))
      .join(' '),
  );
}

function truncate(text: string, length = 60): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
