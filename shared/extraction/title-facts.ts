import type { InspectionDates } from '../domain/plan.ts';

/**
 * The facts printed above an action plan's table: which establishment, when it was inspected, when
 * the report was published and when the plan was submitted. Typical wording:
 *   "Action Plan: HMP Long Lartin" · "ESTABLISHMENT: HMP LIVERPOOL"
 *   "A Response to the HMIP Inspection: 5 – 16 December 2022" · "Inspection dates: 30 October – 10 November 2017"
 *   "Report Published: 12 April 2023" · "Action Plan Submitted: 2 May 2023"
 */

export interface TitleFacts {
  establishment: string | null;
  inspection: InspectionDates | null;
  reportPublished: string | null;
  planSubmitted: string | null;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';
const YEAR = '(\\d{4})';
const DASH = '\\s*(?:-|–|—|to|until)\\s*';

const FULL_DATE = new RegExp(`${DAY}\\s+${MONTH}\\.?,?\\s+${YEAR}`, 'i');
const RANGE_SAME_MONTH = new RegExp(`${DAY}${DASH}${DAY}\\s+${MONTH}\\.?,?\\s+${YEAR}`, 'i');
const RANGE_SAME_YEAR = new RegExp(`${DAY}\\s+${MONTH}\\.?${DASH}${DAY}\\s+${MONTH}\\.?,?\\s+${YEAR}`, 'i');
const RANGE_FULL = new RegExp(
  `${DAY}\\s+${MONTH}\\.?,?\\s+${YEAR}${DASH}${DAY}\\s+${MONTH}\\.?,?\\s+${YEAR}`,
  'i',
);

const ESTABLISHMENT =
  /\b(HMP\s*(?:&|and|\/)\s*YOI|HMP\s*\/\s*YOI|HMYOI|HMP|HM\s+Prison(?:\s+and\s+YOI)?|HM\s+YOI|YOI|STC|IRC)\s+([A-Z][A-Za-z'’.-]*(?:\s+(?:[A-Z][A-Za-z'’.-]*|and|upon|on|in|of|the))*)/;

export function readTitleFacts(lines: readonly string[]): TitleFacts {
  const facts: TitleFacts = {
    establishment: null,
    inspection: null,
    reportPublished: null,
    planSubmitted: null,
  };
  let shoutedEstablishment: string | null = null;
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.replace(/\s+/g, ' ').trim();
    const next = lines[index + 1]?.replace(/\s+/g, ' ').trim() ?? '';
    const lower = line.toLowerCase();

    if (facts.establishment === null) {
      const named = establishmentIn(line);
      if (named && named !== named.toUpperCase()) facts.establishment = named;
      else if (named && shoutedEstablishment === null) shoutedEstablishment = titleCaseEstablishment(named);
    }
    if (
      facts.reportPublished === null &&
      /\b(report\s+)?published\b|\bdate\s+of\s+publication\b/.test(lower)
    ) {
      facts.reportPublished = fullDateIn(line) ?? (endsWithLabel(line) ? fullDateIn(next) : null);
    }
    if (facts.planSubmitted === null && /\bsubmitted\b|\bdate\s+of\s+submission\b/.test(lower)) {
      facts.planSubmitted = fullDateIn(line) ?? (endsWithLabel(line) ? fullDateIn(next) : null);
    }
    if (facts.inspection === null && /\binspect(?:ion|ed)\b/.test(lower) && !/\bpublished\b/.test(lower)) {
      facts.inspection = dateRangeIn(line) ?? (endsWithLabel(line) ? dateRangeIn(next) : null);
    }
  }
  facts.establishment ??= shoutedEstablishment;
  return facts;
}

function endsWithLabel(line: string): boolean {
  return /:\s*$/.test(line) || !/\d/.test(line);
}

function establishmentIn(line: string): string | null {
  const labelled = /^(?:action\s+plan|establishment|prison)\s*:\s*(.+)$/i.exec(line);
  const candidate = labelled?.[1] ?? line;
  const match = ESTABLISHMENT.exec(candidate);
  if (!match) return null;
  return `${match[1]} ${match[2]}`
    .replace(/\s+/g, ' ')
    .replace(/[\s.,;:]+$/, '')
    .trim();
}

function titleCaseEstablishment(name: string): string {
  return name
    .split(' ')
    .map((word) =>
      /^(?:(?:HMP|HMYOI|YOI|HM|STC|IRC)(?:[/&](?:HMP|YOI))?|&|\/)$/.test(word)
        ? word
        : capitalise(word.toLowerCase()),
    )
    .join(' ');
}

function capitalise(word: string): string {
  if (['and', 'upon', 'on', 'in', 'of', 'the'].includes(word)) return word;
  return word.replace(/(^|[-'’])(\p{L})/gu, (_, sep: string, letter: string) => sep + letter.toUpperCase());
}

function monthNumber(name: string): number {
  const prefix = name.toLowerCase().slice(0, 3);
  return MONTHS.findIndex((month) => month.startsWith(prefix)) + 1;
}

function isoDate(year: string | number, month: number, day: string | number): string | null {
  const y = Number(year);
  const d = Number(day);
  const date = new Date(Date.UTC(y, month - 1, d));
  if (month < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function fullDateIn(text: string): string | null {
  const match = FULL_DATE.exec(text);
  if (!match) return null;
  return isoDate(match[3]!, monthNumber(match[2]!), match[1]!);
}

export function dateRangeIn(text: string): InspectionDates | null {
  const full = RANGE_FULL.exec(text);
  if (full) {
    return range(
      isoDate(full[3]!, monthNumber(full[2]!), full[1]!),
      isoDate(full[6]!, monthNumber(full[5]!), full[4]!),
    );
  }
  const sameYear = RANGE_SAME_YEAR.exec(text);
  if (sameYear) {
    const year = sameYear[5]!;
    return range(
      isoDate(year, monthNumber(sameYear[2]!), sameYear[1]!),
      isoDate(year, monthNumber(sameYear[4]!), sameYear[3]!),
    );
  }
  const sameMonth = RANGE_SAME_MONTH.exec(text);
  if (sameMonth) {
    const month = monthNumber(sameMonth[3]!);
    return range(isoDate(sameMonth[4]!, month, sameMonth[1]!), isoDate(sameMonth[4]!, month, sameMonth[2]!));
  }
  return null;
}

function range(from: string | null, to: string | null): InspectionDates | null {
  return from && to && from <= to ? { from, to } : null;
}
