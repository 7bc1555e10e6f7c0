/**
 * Target dates of action-plan rows: what a printed "Target date" phrase means as a due date, and how a
 * whole Target Date cell splits into its printed targets.
 *
 * A phrase is *recognised* when it is a date-like period ("31 March 2018", "June 2018", "2019",
 * "Q1 2019", "End of Financial Year 2018/2019", optionally qualified: "by end of …", "w/c …",
 * "Completed …") or a status ("Complete", "Completed and Ongoing", "N/A", "Monthly"). Conditions
 * ("18-24 post Royal Assent", "Subject to funding") are deliberately *not* recognised: they are free
 * text, so a condition wrapped over several lines stays one target. Their due date is null, as is a
 * status's.
 */

export interface Target {
  raw: string;
  /** ISO yyyy-mm-dd, or null for a status, a condition or anything not understood. */
  due: string | null;
}

/** One printed target phrase → its due date (null when it is a status or a condition). */
export function dueDateOf(raw: string): string | null {
  const recognised = recognise(raw);
  return recognised?.kind === 'date' ? recognised.due : null;
}

/** Whether a phrase is a target we understand on its own (a date, a month, a status, a financial year…). */
export function isRecognisedTarget(phrase: string): boolean {
  return recognise(phrase) !== null;
}

/** A whole Target Date cell → its targets in order, repeats kept, [] for an empty cell. */
export function parseTargetCell(cellText: string): Target[] {
  return splitCell(cellText).map((raw) => ({ raw, due: dueDateOf(raw) }));
}

// ---------------------------------------------------------------------------------------------------
// Recognising one phrase

type Recognition = { kind: 'date'; due: string } | { kind: 'status' };

/** A span of days, both ends ISO dates. A target's due date is normally its `last` day. */
interface Period {
  first: string;
  last: string;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH = `(${Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|')})\\.?`;
const YEAR = `'?(\\d{4}|\\d{2})`;
const ORDINAL = '(?:st|nd|rd|th)?';

const STATUS_WORDS = [
  'complete',
  'completed',
  'ongoing',
  'continuous',
  'continuing',
  'continual',
  'immediate',
  'immediately',
  'in place',
  'achieved',
  'implemented',
  'in progress',
  'closed',
  'done',
  'n/a',
  'na',
  'not applicable',
  'tbc',
  'tba',
  'tbd',
  'to be confirmed',
  'to be agreed',
  'to be determined',
  'as required',
  'business as usual',
  'bau',
  'daily',
  'weekly',
  'fortnightly',
  'monthly',
  'bi-monthly',
  'bimonthly',
  'quarterly',
  'six-monthly',
  'six monthly',
  '6-monthly',
  '6 monthly',
  'bi-annually',
  'biannually',
  'bi-annual',
  'biannual',
  'annually',
  'annual',
  'yearly',
];
// One status, or several joined by "and"/"&" ("Completed and Ongoing", "Immediate & ongoing").
const STATUS_WORD = `(?:${STATUS_WORDS.map(escapeRegExp).join('|')})`;
const STATUS = new RegExp(`^${STATUS_WORD}(?: (?:and|&) ${STATUS_WORD})*$`);

/** Words that may precede a date without changing it ("by", "Completed", "w/c" …), stripped in any order. */
const LEAD_INS = [
  /^(?:completed?|achieved|implemented)\b ?(?:[-:,] ?)?(?:(?:in|by|on) )?/,
  /^(?:by|due|target(?: date)?|deadline|no later than|not later than|on or before):?(?: the)? /,
  /^(?:ongoing )?(?:until|till) /,
  /^(?:w\/c|w\/e|wc|week (?:commencing|beginning|ending)) /,
];
/** "End of 2019", "mid-June 2018": due at the end of the period. */
const WITHIN_PERIOD = /^(?:(?:the )?end(?: of)?(?: the)?|early|mid|late) ?-? ?/;
/** "Start of June 2018": due on the first day of the period. */
const START_OF_PERIOD = /^(?:the )?(?:start|beginning) of(?: the)? /;

function recognise(phrase: string): Recognition | null {
  const text = normalise(phrase);
  if (text === '') return null;
  if (STATUS.test(text)) return { kind: 'status' };

  const rest = stripLeadIns(text);

  const start = START_OF_PERIOD.exec(rest);
  if (start) {
    const period = parsePeriod(rest.slice(start[0].length));
    return period ? { kind: 'date', due: period.first } : null;
  }
  const within = WITHIN_PERIOD.exec(rest)?.[0] ?? '';
  const period = parsePeriod(rest) ?? (within ? parsePeriod(rest.slice(within.length)) : null);
  return period ? { kind: 'date', due: period.last } : null;
}

function stripLeadIns(text: string): string {
  for (const leadIn of LEAD_INS) {
    const match = leadIn.exec(text)?.[0];
    if (match && match.length < text.length) return stripLeadIns(text.slice(match.length));
  }
  return text;
}

/** No brackets, lower case, single spaces, one dash character, no trailing full stop, "on going" → "ongoing". */
function normalise(phrase: string): string {
  return phrase
    .replace(/[()[\]]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\bon[- ]going\b/g, 'ongoing');
}

function parsePeriod(text: string): Period | null {
  return (
    parseFullDate(text) ??
    parseMonth(text) ??
    parseQuarter(text) ??
    parseFinancialYear(text) ??
    parseSeason(text) ??
    parseYear(text)
  );
}

const WEEKDAY = /^(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?,? /;
const DAY_MONTH_YEAR = new RegExp(`^(\\d{1,2})${ORDINAL}(?: of)?[ -]+${MONTH}[ ,-]+${YEAR}$`);
const MONTH_DAY_YEAR = new RegExp(`^${MONTH} (\\d{1,2})${ORDINAL},? (\\d{4})$`);
// UK day-first: 31/03/2018, 31.03.18, 31-03-2018 (one separator throughout).
const NUMERIC_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

function parseFullDate(text: string): Period | null {
  const date = text.replace(WEEKDAY, '');
  let match = DAY_MONTH_YEAR.exec(date);
  if (match) return singleDay(toYear(match[3]!), MONTHS[match[2]!]!, Number(match[1]));
  match = MONTH_DAY_YEAR.exec(date);
  if (match) return singleDay(toYear(match[3]!), MONTHS[match[1]!]!, Number(match[2]));
  match = NUMERIC_DATE.exec(date);
  if (match) return singleDay(toYear(match[4]!), Number(match[3]), Number(match[1]));
  match = ISO_DATE.exec(date);
  if (match) return singleDay(Number(match[1]), Number(match[2]), Number(match[3]));
  return null;
}

// "June 2018", "March 26", "Sep-23", "Sept. 2023"; numeric "03/2019".
const MONTH_YEAR = new RegExp(`^${MONTH}(?: ?[ ,-] ?)${YEAR}$`);
const NUMERIC_MONTH_YEAR = /^(\d{1,2})[/.-](\d{4})$/;
// "April-June 2018", "April to June 2018": due at the end of the last month.
const MONTH_RANGE = new RegExp(`^${MONTH} ?(?:-|to) ?${MONTH}[ ,-]+${YEAR}$`);

function parseMonth(text: string): Period | null {
  let match = MONTH_YEAR.exec(text);
  if (match) return wholeMonth(toYear(match[2]!), MONTHS[match[1]!]!);
  match = NUMERIC_MONTH_YEAR.exec(text);
  if (match) return wholeMonth(Number(match[2]), Number(match[1]));
  match = MONTH_RANGE.exec(text);
  if (match) return wholeMonth(toYear(match[3]!), MONTHS[match[2]!]!);
  return null;
}

const QUARTER_NUMBER_FIRST = /^(?:q|quarter) ?([1-4]) ?[,-]? ?(.+)$/;
const ORDINAL_QUARTER = /^([1-4])(?:st|nd|rd|th) quarter (?:of )?(.+)$/;
const YEAR_FIRST_QUARTER = /^(\d{4}) ?-? ?q([1-4])$/;

/**
 * "Q1 2019" is a calendar quarter (Jan–Mar 2019 → 2019-03-31): a plain year names a calendar year
 * everywhere else too. "Q1 2019/20" or "Q1 FY19/20" names a quarter of the financial year, whose
 * Q1 is April–June (→ 2019-06-30) and Q4 January–March of the second year.
 */
function parseQuarter(text: string): Period | null {
  const yearFirst = YEAR_FIRST_QUARTER.exec(text);
  const quarterFirst = QUARTER_NUMBER_FIRST.exec(text) ?? ORDINAL_QUARTER.exec(text);
  if (!yearFirst && !quarterFirst) return null;
  const quarter = Number(yearFirst ? yearFirst[2] : quarterFirst![1]);
  const yearText = yearFirst ? yearFirst[1]! : quarterFirst![2]!;

  const financialYear = parseFinancialYear(yearText);
  if (financialYear) {
    const firstYear = Number(financialYear.first.slice(0, 4));
    const lastMonth = quarter * 3 + 3; // Q1 ends in June, Q4 in March of the next year
    return quarterOf(lastMonth > 12 ? firstYear + 1 : firstYear, ((lastMonth - 1) % 12) + 1);
  }
  const year = /^(\d{4}|\d{2})$/.exec(yearText);
  return year ? quarterOf(toYear(year[1]!), quarter * 3) : null;
}

const FINANCIAL_YEAR_LABEL = '(?:financial year|fin(?:ancial)?\\.? ?yr|fy)';
const FINANCIAL_YEAR_PREFIXED = new RegExp(
  `^${FINANCIAL_YEAR_LABEL} ?(\\d{4}|\\d{2}) ?[/-] ?(\\d{4}|\\d{2})$`,
);
const FINANCIAL_YEAR_SUFFIXED = new RegExp(
  `^(\\d{4}|\\d{2}) ?[/-] ?(\\d{4}|\\d{2}) ${FINANCIAL_YEAR_LABEL}$`,
);
const YEAR_PAIR = /^(\d{4}) ?[/-] ?(\d{4}|\d{2})$/;

/**
 * A UK financial year runs 1 April to 31 March: "Financial Year 2018/19", "FY18/19", "2018-19
 * financial year". A bare pair of consecutive years ("2018/2019", "2018-19") is read as one too,
 * since that is how plans print it; the second year must follow the first.
 */
function parseFinancialYear(text: string): Period | null {
  const match =
    FINANCIAL_YEAR_PREFIXED.exec(text) ?? FINANCIAL_YEAR_SUFFIXED.exec(text) ?? YEAR_PAIR.exec(text);
  if (!match) return null;
  const firstYear = toYear(match[1]!);
  const secondYear = toYear(match[2]!);
  if (secondYear !== firstYear + 1) return null;
  return { first: isoDate(firstYear, 4, 1), last: isoDate(secondYear, 3, 31) };
}

const SEASON = /^(spring|summer|autumn|fall|winter) (\d{4}|\d{2})$/;

/** Meteorological seasons: spring Mar–May, summer Jun–Aug, autumn Sep–Nov, winter Dec–Feb (into the next year). */
function parseSeason(text: string): Period | null {
  const match = SEASON.exec(text);
  if (!match) return null;
  const year = toYear(match[2]!);
  switch (match[1]) {
    case 'spring':
      return { first: isoDate(year, 3, 1), last: lastDayOf(year, 5) };
    case 'summer':
      return { first: isoDate(year, 6, 1), last: lastDayOf(year, 8) };
    case 'winter':
      return { first: isoDate(year, 12, 1), last: lastDayOf(year + 1, 2) };
    default:
      return { first: isoDate(year, 9, 1), last: lastDayOf(year, 11) };
  }
}

const YEAR_ALONE = /^(?:(?:the )?(?:calendar )?year )?((?:19|20)\d{2})$/;

function parseYear(text: string): Period | null {
  const match = YEAR_ALONE.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  return { first: isoDate(year, 1, 1), last: isoDate(year, 12, 31) };
}

/** Two-digit years are 20xx. */
function toYear(text: string): number {
  return text.length === 2 ? 2000 + Number(text) : Number(text);
}

function singleDay(year: number, month: number, day: number): Period | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const date = isoDate(year, month, day);
  return { first: date, last: date };
}

function wholeMonth(year: number, month: number): Period | null {
  if (month < 1 || month > 12) return null;
  return { first: isoDate(year, month, 1), last: lastDayOf(year, month) };
}

function quarterOf(year: number, lastMonth: number): Period {
  return { first: isoDate(year, lastMonth - 2, 1), last: lastDayOf(year, lastMonth) };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function lastDayOf(year: number, month: number): string {
  return isoDate(year, month, daysInMonth(year, month));
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------
// Splitting a cell

/** How many following lines a wrapped target may continue over ("End of\nFinancial\nYear\n2018/2019"). */
const MAX_WRAPPED_LINES = 4;
/** The longest target phrase, in words ("Completed by the end of the financial year 2018/19" is 10). */
const MAX_PHRASE_TOKENS = 12;

// "•", "-", "–", "*" …, or a list number or letter: "1.", "2)", "(a)".
const BULLET = /^(?:[•●▪◦·*-]|[\u2010-\u2015])\s*|^(?:\d{1,2}[.)]|\(?[a-z]\))\s+/i;
/** A line opening with one of these continues the target above ("Completed\nand Ongoing"). */
const CONNECTOR_START = /^(?:and|&)(?:\s|$)/i;

function splitCell(cellText: string): string[] {
  const lines = cellText
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map((line) => line.replace(/\s+/g, ' ').trim().replace(BULLET, '').trim())
    .filter((line) => line !== '');

  const targets: string[] = [];
  // Whether the last target came from recognised phrases (so a connector line may extend it).
  let lastRecognised = false;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;

    const previous = targets.at(-1);
    if (lastRecognised && previous !== undefined && CONNECTOR_START.test(line)) {
      const extended = parseWrapped(lines, i, previous);
      // Either it extends the target above ("Completed" + "and Ongoing") or "and" separates two.
      if (extended) {
        targets.splice(-1, 1, ...extended.phrases);
        i = extended.next;
        continue;
      }
    }

    const wrapped = parseWrapped(lines, i);
    if (wrapped) {
      targets.push(...wrapped.phrases);
      lastRecognised = true;
      i = wrapped.next;
      continue;
    }

    // Free text (a condition, or something not understood): one target up to the next line that
    // starts a recognised target.
    let end = i + 1;
    while (end < lines.length && !parseWrapped(lines, end)) end += 1;
    targets.push(dropFullStop(joinLines(lines.slice(i, end))));
    lastRecognised = false;
    i = end;
  }
  return targets;
}

/**
 * The recognised phrases of line `start` alone or, when it is not understood alone, joined with as
 * few following lines as make it understood (a target wrapped by a narrow column). A `prefix` is
 * text the lines continue.
 */
function parseWrapped(
  lines: string[],
  start: number,
  prefix?: string,
): { phrases: string[]; next: number } | null {
  const last = Math.min(lines.length - 1, start + MAX_WRAPPED_LINES);
  for (let end = start; end <= last; end += 1) {
    const wrapped = lines.slice(start, end + 1);
    const phrases = parsePhrases(joinLines(prefix === undefined ? wrapped : [prefix, ...wrapped]));
    if (phrases) return { phrases, next: end + 1 };
  }
  return null;
}

/** Lines joined by a space, except after a word broken at a hyphen or slash ("2018/" + "2019"). */
function joinLines(lines: string[]): string {
  return lines.reduce((joined, line) => (/\w[/-]$/.test(joined) ? joined + line : `${joined} ${line}`));
}

interface Token {
  text: string;
  start: number;
  end: number;
  separator: boolean;
}

/** Tokens that may stand between two targets: "March 2018; June 2018", "Complete / Ongoing". */
const SEPARATOR = /^(?:[;,./&+-]|[\u2010-\u2015]|and)$/i;
/** Separators a line may end with and still be complete; others ("and", "-", ",") say it continues. */
const CLOSING_SEPARATOR = /^[.;]$/;

/**
 * The text as a sequence of recognised target phrases, or null when it is not one. Greedy, longest
 * phrase first (so "Completed January 2018" stays one target), backtracking when the rest fails.
 * Each phrase is returned as printed, a span of the text.
 */
function parsePhrases(text: string): string[] | null {
  const tokens = tokenise(text);
  const failedFrom = new Set<number>();

  // Any separators may stand between two phrases; after the last one only closing ones.
  const parseFrom = (position: number): string[] | null => {
    let p = position;
    while (p < tokens.length && tokens[p]!.separator) p += 1;
    if (p === tokens.length) {
      return tokens.slice(position).every((token) => CLOSING_SEPARATOR.test(token.text)) ? [] : null;
    }
    if (failedFrom.has(p)) return null;

    const longest = Math.min(tokens.length - 1, p + MAX_PHRASE_TOKENS - 1);
    for (let q = longest; q >= p; q -= 1) {
      if (tokens[q]!.separator) continue;
      const phrase = text.slice(tokens[p]!.start, tokens[q]!.end);
      if (!isRecognisedTarget(phrase)) continue;
      const rest = parseFrom(q + 1);
      if (rest) return [phrase, ...rest];
    }
    failedFrom.add(p);
    return null;
  };

  if (tokens.length === 0 || tokens[0]!.separator) return null;
  const phrases = parseFrom(0);
  return phrases && phrases.length > 0 ? phrases : null;
}

/** Words, with a trailing "," ";" or "." split off as its own separator token ("2018," → "2018", ","). */
function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const start = match.index;
    const word = match[0];
    const trailing = /[,;.]$/.exec(word);
    if (trailing && word.length > 1) {
      const end = start + word.length - 1;
      tokens.push({ text: word.slice(0, -1), start, end, separator: SEPARATOR.test(word.slice(0, -1)) });
      tokens.push({ text: trailing[0], start: end, end: end + 1, separator: true });
    } else {
      tokens.push({ text: word, start, end: start + word.length, separator: SEPARATOR.test(word) });
    }
  }
  return tokens;
}

function dropFullStop(text: string): string {
  return text.replace(/\.$/, '');
}
