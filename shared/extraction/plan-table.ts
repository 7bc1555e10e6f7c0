import { describeLocation, UnreadableDocumentError } from '../domain/errors.ts';
import { parseOwnerCell } from '../domain/owners.ts';
import { collapseSpaces } from '../domain/text.ts';
import type { Action, Decision, ItemKind, PlanFormat, PlanItem } from '../domain/plan.ts';
import { parseTargetCell } from '../domain/target-dates.ts';
import type { SourceRow } from './table-stitching.ts';

/**
 * Rows of an action-plan table → plan items. Columns are found by their header text, never by
 * position; the format is recognised from the header and the decision vocabulary; rows above items
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
  ['decision', /\b(?:agreed|accepted|accept|rejected|decision)\b/],
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

export function mapColumns(header: readonly string[]): ColumnMap {
  const map: ColumnMap = {};
  header.forEach((text, column) => {
    const wording = normaliseHeaderText(text);
    if (!wording) return;
    for (const [role, pattern] of COLUMN_PATTERNS) {
      if (map[role] === undefined && pattern.test(wording)) {
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

const DECISION_VOCABULARY: [RegExp, Decision][] = [
  [/^(?:partly|partially|part)\s+agreed|^agreed\s+in\s+part/, 'partly_agreed'],
  [/^(?:not\s+agreed|disagreed)/, 'not_agreed'],
  [/^agreed/, 'agreed'],
  [/^accepted\s+subject\s+to\s+(?:\w+\s+)?(?:resources|funding|resourcing)/, 'accepted_subject_to_resources'],
  [/^(?:not\s+accepted|rejected)/, 'rejected'],
  [/^accepted/, 'accepted'],
];

export function parseDecision(cell: string): Decision | null {
  const wording = cell.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!wording) return null;
  for (const [pattern, decision] of DECISION_VOCABULARY) {
    if (pattern.test(wording)) return decision;
  }
  return null;
}

const KIND_HEADINGS: [RegExp, ItemKind][] = [
  [/^main\s+recommendations?\b/i, 'main_recommendation'],
  [/^housekeeping(?:\s+points?)?\b/i, 'housekeeping'],
  [/^priority\s+concerns?\b/i, 'priority_concern'],
  [/^key\s+concerns?\b/i, 'key_concern'],
  [/^(?:other\s+)?recommendations?\b/i, 'recommendation'],
];

export type Heading =
  | { type: 'kind'; kind: ItemKind; addressee: string | null }
  | { type: 'section'; section: string };

/** A one-cell row above items: a kind ("Key concerns"), a kind with its addressee, or a section. */
export function classifyHeading(text: string): Heading {
  const heading = collapseSpaces(text);
  for (const [pattern, kind] of KIND_HEADINGS) {
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

export function detectFormat(header: readonly string[], columns: ColumnMap, table: PlanTable): PlanFormat {
  if (columns.decision !== undefined) {
    const wording = normaliseHeaderText(header[columns.decision] ?? '');
    if (/accept|reject/.test(wording)) return 'accepted-2015';
    if (/agreed/.test(wording)) return 'agreed-2018';
    const decisions = table.rows
      .map((row) => parseDecision(row.cells[columns.decision!] ?? ''))
      .filter(Boolean);
    if (
      decisions.some((d) => d === 'accepted' || d === 'rejected' || d === 'accepted_subject_to_resources')
    ) {
      return 'accepted-2015';
    }
    if (decisions.length > 0) return 'agreed-2018';
    throw new UnreadableDocumentError(
      'UNRECOGNISED_TABLE',
      `The decision column "${header[columns.decision]}" holds no decision we know (Agreed / Partly Agreed / Not Agreed, or Accepted / Rejected)`,
    );
  }
  const mentionsConcerns =
    /concern/.test(normaliseHeaderText(header[columns.text!] ?? '')) ||
    table.rows.some((row) => {
      const heading = classifyHeading(row.cells.filter(Boolean).join(' '));
      return (
        heading.type === 'kind' && (heading.kind === 'priority_concern' || heading.kind === 'key_concern')
      );
    });
  if (mentionsConcerns) return 'concerns-2023';
  throw new UnreadableDocumentError(
    'UNRECOGNISED_TABLE',
    `The table has no decision column (Agreed / Partly Agreed / Not Agreed, or Accepted / Rejected) and lists no concerns; its columns are: ${header.map((h) => `"${collapseSpaces(h)}"`).join(', ')}`,
  );
}

export function readPlanTable(table: PlanTable): PlanTableReading {
  const columns = mapColumns(table.header);
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
  const format = detectFormat(table.header, columns, table);
  const cell = (row: PlanTableRow, role: ColumnRole): string => {
    const column = columns[role];
    return column === undefined ? '' : collapseKeepingLines(row.cells[column] ?? '');
  };

  const warnings: string[] = [];
  const items: PlanItem[] = [];
  const itemRows = new Map<PlanItem, PlanTableRow>();
  const headings = new HeadingContext(format === 'concerns-2023' ? 'priority_concern' : 'recommendation');
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
      const decision = parseDecision(decisionText);
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
      if (current.decision === null) current.decision = parseDecision(moreDecision);
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
