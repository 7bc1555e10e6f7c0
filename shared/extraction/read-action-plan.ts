import { UnreadableDocumentError } from '../domain/errors.ts';
import { Plan } from '../domain/plan.ts';
import { type ColumnRole, isPlanHeader, mapColumns, type PlanTable, readPlanTable } from './plan-table.ts';
import { readSummary, summaryWarnings } from './summary.ts';
import { type StitchedTable, stitchTables } from './table-stitching.ts';
import { readTextractDocument, type TextLine, type TextractDocument } from './textract-document.ts';
import type { TextractResponse } from '../domain/textract-response.ts';
import { readTitleFacts } from './title-facts.ts';

/**
 * Textract's answer for an action-plan PDF (one AnalyzeDocument response, or every page of
 * GetDocumentAnalysis results) → the plan. Pure: the same function serves the AWS path (Textract)
 * and the local one (the local analyser emits the same Blocks).
 */
export function readActionPlan(
  responses: TextractResponse | readonly TextractResponse[],
  source: string,
): Plan {
  return readActionPlanDocument(readTextractDocument(responses), source);
}

const PLAN_COLUMN_ROLES: ColumnRole[] = ['ref', 'text', 'decision', 'response', 'owner', 'target'];

export function readActionPlanDocument(document: TextractDocument, source: string): Plan {
  const tables = stitchTables(document);
  if (tables.length === 0) {
    const words = document.pages.reduce((count, page) => count + page.lines.length, 0);
    throw new UnreadableDocumentError(
      'NO_TABLE_FOUND',
      words === 0
        ? 'The document has no text: it may be a scanned image that needs OCR'
        : 'The document has no table: an action plan is a table of recommendations and responses',
    );
  }
  const planTables = tables.filter((table) => isPlanHeader(table.header));
  if (planTables.length === 0) {
    const headers = tables.map((table) => `[${table.header.map((h) => h.replace(/\s+/g, ' ')).join(' | ')}]`);
    throw new UnreadableDocumentError(
      'UNRECOGNISED_TABLE',
      `No table looks like an action plan (a recommendation number, the recommendation or concern, and a response or owner). Tables found: ${headers.join('; ')}`,
    );
  }

  const reading = readPlanTable(combinePlanTables(planTables));
  const firstTable = planTables[0]!;
  const lastTable = planTables.at(-1)!;
  const facts = readTitleFacts(linesAbove(document, firstTable).map((line) => line.text));
  const otherTables = tables.filter((table) => !planTables.includes(table));
  const summary =
    readSummary(otherTables.flatMap((table) => [table.header, ...table.rows.map((row) => row.cells)])) ??
    readSummary(visualRows(linesBelow(document, lastTable)));

  const plan: Plan = {
    source,
    establishment: facts.establishment,
    format: reading.format,
    inspection: facts.inspection,
    reportPublished: facts.reportPublished,
    planSubmitted: facts.planSubmitted,
    items: reading.items,
    summary,
    warnings: [
      ...reading.warnings,
      ...summaryWarnings(summary, reading.items),
      ...numberingWarnings(reading.items),
    ],
  };
  return Plan.parse(plan);
}

/**
 * Several plan tables (one per kind, or a table restarted after a page of text) read as one, their
 * columns put in one order by role. The first table's header wording is kept for each role.
 */
function combinePlanTables(tables: readonly StitchedTable[]): PlanTable {
  const maps = tables.map((table) => mapColumns(table.header));
  const roles = PLAN_COLUMN_ROLES.filter((role) => maps.some((map) => map[role] !== undefined));
  const header = roles.map((role) => {
    const index = maps.findIndex((map) => map[role] !== undefined);
    return tables[index]!.header[maps[index]![role]!] ?? role;
  });
  return {
    header,
    rows: tables.flatMap((table, t) =>
      table.rows.map((row) => ({
        cells: roles.map((role) => {
          const column = maps[t]![role];
          return column === undefined ? '' : (row.cells[column] ?? '');
        }),
        sources: row.sources,
        spansAllColumns: row.spansAllColumns,
      })),
    ),
  };
}

function linesAbove(document: TextractDocument, table: StitchedTable): TextLine[] {
  const { page, box } = table.first;
  return document.pages
    .filter((p) => p.page <= page)
    .flatMap((p) => (p.page < page ? p.lines : p.lines.filter((line) => line.box.bottom <= box.top + 0.002)));
}

function linesBelow(document: TextractDocument, table: StitchedTable): TextLine[] {
  const lastPage = table.last.page;
  const bottom = table.last.box.bottom;
  return document.pages
    .filter((p) => p.page >= lastPage)
    .flatMap((p) => (p.page > lastPage ? p.lines : p.lines.filter((line) => line.box.top >= bottom - 0.002)));
}

/** Lines that share a baseline band, left to right: one row of a borderless table. */
function visualRows(lines: readonly TextLine[]): string[][] {
  const rows: { top: number; bottom: number; lines: TextLine[] }[] = [];
  for (const line of lines) {
    const row = rows.find((r) => Math.min(r.bottom, line.box.bottom) - Math.max(r.top, line.box.top) > 0);
    if (row) {
      row.lines.push(line);
      row.top = Math.min(row.top, line.box.top);
      row.bottom = Math.max(row.bottom, line.box.bottom);
    } else {
      rows.push({ top: line.box.top, bottom: line.box.bottom, lines: [line] });
    }
  }
  return rows.map((row) => row.lines.sort((a, b) => a.box.left - b.box.left).map((line) => line.text));
}

/** "5.1, 5.2, 5.4": a number missing from a run of numbers is worth a look. */
export function numberingWarnings(items: readonly { ref: string }[]): string[] {
  const runs = new Map<string, number[]>();
  for (const item of items) {
    const match = /^(.*?)(\d+)[a-z]?$/.exec(item.ref);
    if (!match) continue;
    const prefix = match[1]!;
    const list = runs.get(prefix) ?? [];
    list.push(Number(match[2]));
    runs.set(prefix, list);
  }
  const warnings: string[] = [];
  for (const [prefix, numbers] of runs) {
    const present = new Set(numbers);
    const lowest = Math.min(...numbers);
    const highest = Math.max(...numbers);
    const missing: string[] = [];
    for (let n = lowest; n <= highest; n++) if (!present.has(n)) missing.push(`${prefix}${n}`);
    if (missing.length > 0 && missing.length <= 20) {
      warnings.push(`Recommendation numbers missing from the sequence: ${missing.join(', ')}`);
    } else if (missing.length > 20) {
      warnings.push(
        `${missing.length} recommendation numbers are missing between ${prefix}${lowest} and ${prefix}${highest}`,
      );
    }
  }
  return warnings;
}
