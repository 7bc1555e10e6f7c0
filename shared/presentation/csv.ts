/**
 * CSV as RFC 4180 describes it (CRLF line ends, fields quoted when they hold a comma, a quote or a
 * line break, quotes doubled), safe to open in a spreadsheet: a cell starting with = + - @ (or a
 * tab or carriage return) would be read as a formula, so it is prefixed with a single quote.
 */

export type CsvCell = string | number | boolean | null | undefined;

export interface CsvTable {
  columns: readonly string[];
  rows: readonly (readonly CsvCell[])[];
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv({ columns, rows }: CsvTable): string {
  const lines = [columns, ...rows].map((row) => row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
