/**
 * HTML for people, with no template library: an `html` tagged template that escapes every value
 * it is given unless the value is already `SafeHtml`, and `page()`, a whole GOV.UK-like document
 * (one small inline style sheet, no JavaScript). Text from documents (plan text comes from PDFs)
 * must only ever reach a page through `html` or `escapeHtml`.
 */

/** A fragment of HTML known to be safe: built by `html`, or trusted markup passed to `trustedHtml`. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What may be interpolated into `html`: text (escaped), numbers, safe fragments, lists of them; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** Marks markup the program wrote itself (never text from a document or a person) as safe. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function renderValue(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  return escapeHtml(String(value));
}

/** A tagged template: the literal parts are markup, every interpolated value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A rendered page and the HTTP status it is served with. */
export interface HtmlPage {
  status: number;
  html: string;
}

export const SERVICE_NAME = 'Inspection action plans';

const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;background:#fff}
header{background:#0b0c0c;color:#fff;padding:10px 0;border-bottom:10px solid #1d70b8}
header p{margin:0;font-weight:700}
.width{max-width:960px;margin:0 auto;padding:0 15px}
main{padding:30px 0 60px}
h1{font-size:36px;line-height:1.1;margin:0 0 30px}
h2{font-size:24px;margin:30px 0 15px}
a{color:#1d70b8}a:visited{color:#4c2c92}a:hover{color:#003078}
a:focus,button:focus,textarea:focus{outline:3px solid #ffdd00;outline-offset:0;box-shadow:inset 0 0 0 2px #0b0c0c}
dl{display:grid;grid-template-columns:minmax(10em,max-content) 1fr;gap:8px 20px;margin:0 0 20px}
dt{font-weight:700}dd{margin:0}
table{border-collapse:collapse;width:100%;margin:0 0 20px}
th,td{text-align:left;padding:8px 10px 8px 0;border-bottom:1px solid #b1b4b6;vertical-align:top}
.hint{color:#505a5f}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;padding:0;overflow:hidden;clip:rect(0 0 0 0);border:0;white-space:nowrap}
.panel{background:#00703c;color:#fff;padding:25px;margin:0 0 30px}.panel h1{margin:0}
.inset{border-left:10px solid #b1b4b6;padding:10px 15px;margin:20px 0}
.error-summary{border:5px solid #d4351c;padding:20px;margin:0 0 30px}
.error-summary h2{margin-top:0}.error-summary a{color:#d4351c;font-weight:700}
.error-message{color:#d4351c;font-weight:700;display:block;margin:0 0 10px}
label{display:block;font-weight:700;margin:0 0 5px}
textarea{display:block;width:100%;max-width:40em;min-height:8em;font:inherit;padding:5px;border:2px solid #0b0c0c;margin:0 0 20px}
textarea.error{border-color:#d4351c}
.buttons{display:flex;flex-wrap:wrap;gap:15px}
.button{font:inherit;font-weight:700;padding:10px 15px;border:0;box-shadow:0 2px 0 #002d18;background:#00703c;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
.button.secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
.button.warning{background:#d4351c;box-shadow:0 2px 0 #55150b}
pre{white-space:pre-wrap;font-family:Menlo,Consolas,monospace;font-size:16px;background:#f3f2f1;padding:15px}
iframe{width:100%;min-height:600px;border:1px solid #b1b4b6}
`.trim();

/** A whole HTML5 document in the service's sober style; `title` is text, `body` the main content. */
export function page({ title, body, status = 200 }: { title: string; body: SafeHtml; status?: number }): HtmlPage {
  const document = html`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title} – ${SERVICE_NAME}</title>
<style>${trustedHtml(STYLE)}</style>
</head>
<body>
<header><div class="width"><p>${SERVICE_NAME}</p></div></header>
<div class="width"><main id="main-content">
${body}
</main></div>
</body>
</html>
`;
  return { status, html: document.value };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const pad2 = (value: number): string => String(value).padStart(2, '0');

function parseInstant(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "2018-03-12" → "12 March 2018"; text that is not an ISO date is returned as it is. */
export function formatDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  if (!match || !month) return isoDate;
  return `${Number(match[3])} ${month} ${match[1]}`;
}

/** An instant as "30 November 2026, 14:05 UTC"; text that is not a date is returned as it is. */
export function formatDateTimeUtc(iso: string): string {
  const date = parseInstant(iso);
  if (!date) return iso;
  const month = MONTHS[date.getUTCMonth()] ?? '';
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}, ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())} UTC`;
}
