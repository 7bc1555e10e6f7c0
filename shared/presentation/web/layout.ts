import type { Role } from '../../domain/access.ts';
import { DECISION_WORDINGS, type DecisionStance, planFormatRecord } from '../../domain/plan-formats.ts';
import type { PlanFormat, PlanStatus } from '../../domain/plan.ts';
import { type HtmlPage, type HtmlValue, type SafeHtml, html, page } from '../html.ts';

/**
 * The local web UI's frame: the navigation under the service header (Plans, Upload, Outbox), who
 * is signed in with a sign-out button, the few styles the UI adds to html.ts's sheet (tags,
 * charts, the drop zone), and the small shared pieces (tags, an error summary, a notification
 * banner). The document itself is still `page()`.
 */

export type NavSection = 'plans' | 'upload' | 'outbox';

const NAV: readonly { key: NavSection; href: string; text: string }[] = [
  { key: 'plans', href: '/', text: 'Plans' },
  { key: 'upload', href: '/ui/upload', text: 'Upload' },
  { key: 'outbox', href: '/outbox', text: 'Outbox' },
];

/** The colour of a decision's bar in the charts, by how far the decision goes along. */
const STANCE_FILLS: Record<DecisionStance, string> = { accepts: '#00703c', partly: '#f47738', declines: '#d4351c' };

/** `.chart .bar.agreed,.chart .bar.accepted{fill:…}`: every decision of that stance, in every format. */
function decisionBarFill(stance: DecisionStance): string {
  const selectors = DECISION_WORDINGS.filter((wording) => wording.stance === stance).map(({ decision }) => `.chart .bar.${decision}`);
  return `${selectors.join(',')}{fill:${STANCE_FILLS[stance]}}`;
}

const UI_STYLE = `
.nav{background:#f3f2f1;border-bottom:1px solid #b1b4b6}
.nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0 25px}
.nav a{display:inline-block;padding:12px 0;font-weight:700;text-decoration:none;border-bottom:4px solid transparent}
.nav a[aria-current="page"]{border-bottom-color:#1d70b8}
.tag{display:inline-block;padding:2px 8px;font-size:16px;font-weight:700;line-height:1.3;background:#d2e2f1;color:#0c2d4a;white-space:nowrap}
.tag-green{background:#cce2d8;color:#005a30}.tag-amber{background:#fcd6c3;color:#6e3619}.tag-red{background:#f4cdc6;color:#942514}
.tag-grey{background:#e5e6e7;color:#282d30}.tag-blue{background:#d2e2f1;color:#0c2d4a}.tag-yellow{background:#fff7bf;color:#594d00}
.tag-large{font-size:24px;padding:4px 12px}
.banner{border:5px solid #00703c;padding:15px 20px;margin:0 0 30px}.banner p{margin:0;font-weight:700}
.filters{display:flex;flex-wrap:wrap;gap:15px 20px;align-items:flex-end;background:#f3f2f1;padding:15px;margin:0 0 20px}
.filters div{display:flex;flex-direction:column}
input[type=text],input[type=date],select{font:inherit;padding:5px;border:2px solid #0b0c0c;min-height:40px;background:#fff}
input[type=file]{font:inherit;margin:0 0 15px}
.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:15px;margin:0 0 30px;padding:0;list-style:none}
.counts li{border-top:5px solid #1d70b8;padding:10px 0 0}.counts strong{display:block;font-size:36px;line-height:1.1}
.counts li.warn{border-top-color:#d4351c}
.chart{max-width:100%;height:auto;display:block;margin:0 0 10px}
.chart text{font-family:Arial,Helvetica,sans-serif;font-size:14px;fill:#0b0c0c}
.chart .bar{fill:#1d70b8}.chart .bar.overdue{fill:#d4351c}.chart .axis{stroke:#505a5f;stroke-width:1}
${decisionBarFill('accepts')}${decisionBarFill('partly')}
${decisionBarFill('declines')}.chart .bar.none{fill:#858b8e}
.item{border-top:1px solid #b1b4b6;padding:15px 0}
.item h4{font-size:19px;margin:0 0 8px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.item p{margin:0 0 10px}
.actions{list-style:none;margin:10px 0 0;padding:0 0 0 15px;border-left:4px solid #b1b4b6}
.actions>li{margin:0 0 12px}
.actions dl{margin:5px 0 0;font-size:16px}
.targets,.owners{margin:0;padding:0 0 0 20px}
.overdue-target{color:#942514;font-weight:700}
.drop-zone{border:3px dashed #505a5f;padding:30px;text-align:center;margin:0 0 20px;background:#f8f8f8}
.drop-zone.dragging{border-color:#1d70b8;background:#d2e2f1}
fieldset{border:0;padding:0;margin:0 0 20px}legend{font-weight:700;margin:0 0 5px}
.radios label{display:inline-block;font-weight:400;margin:0 20px 0 5px}
.upload-status{font-weight:700;min-height:1.4em;margin:20px 0}.upload-status.failed{color:#d4351c}
.pagination{display:flex;gap:20px;margin:20px 0}
.text{white-space:pre-line}
.signed-in{display:flex;flex-wrap:wrap;gap:10px 20px;align-items:center;justify-content:flex-end;padding:8px 15px;font-size:16px}
.signed-in form{margin:0}.link-button{font:inherit;background:none;border:0;padding:0;color:#1d70b8;text-decoration:underline;cursor:pointer}
.sign-in input[type=text]{display:block;margin:0 0 20px;width:100%;max-width:20em}
.radio{display:flex;gap:8px;align-items:baseline;margin:0 0 8px}.radio label{font-weight:400;margin:0}
.legend{font-size:16px;color:#505a5f;margin:0 0 10px}
.swatch{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}.swatch.blue{background:#1d70b8}.swatch.red{background:#d4351c}
details{margin:0 0 20px}summary{color:#1d70b8;cursor:pointer}
`.trim();

function navigation(current: NavSection | null): SafeHtml {
  return html`<nav class="nav" aria-label="Menu"><div class="width"><ul>
${NAV.map(({ key, href, text }) => html`<li><a href="${href}"${key === current ? html` aria-current="page"` : null}>${text}</a></li>\n`)}</ul></div></nav>`;
}

/** Adds the UI's navigation and styles to a page made by `page()` (the outbox pages, the UI's own). */
export function withLayout(rendered: HtmlPage, current: NavSection | null): HtmlPage {
  const withStyle = rendered.html.replace('</head>', `<style>${UI_STYLE}</style>\n</head>`);
  return { status: rendered.status, html: withStyle.replace('</header>', `</header>\n${navigation(current).value}`) };
}

/** Who is signed in to the local web UI, as its pages show it. */
export interface SignedInUser {
  name: string;
  role: Role;
  establishmentId: string | null;
}

/** Adds who is signed in, and a sign-out button, under a UI page's navigation. */
export function withSignedInUser(rendered: HtmlPage, user: SignedInUser): HtmlPage {
  const bar = html`<div class="width signed-in"><p>Signed in as <strong>${user.name}</strong> (${user.role}${user.establishmentId ? `, ${user.establishmentId}` : ''})</p>
<form method="post" action="/ui/sign-out"><button type="submit" class="link-button">Sign out</button></form></div>`;
  const end = rendered.html.indexOf('</nav>');
  if (end < 0) return rendered;
  const at = end + '</nav>'.length;
  return { status: rendered.status, html: `${rendered.html.slice(0, at)}
${bar.value}${rendered.html.slice(at)}` };
}

/** A UI page: `page()` with the navigation. */
export function layout({ title, body, status = 200, current }: { title: string; body: SafeHtml; status?: number; current: NavSection | null }): HtmlPage {
  return withLayout(page({ title, body, status }), current);
}

export type TagColour = 'green' | 'amber' | 'red' | 'grey' | 'blue' | 'yellow';

export function tag(text: string, colour: TagColour, extraClass?: string): SafeHtml {
  return html`<strong class="${`tag tag-${colour}${extraClass ? ` ${extraClass}` : ''}`}">${text}</strong>`;
}

export const STATUS_LABELS: Record<PlanStatus, { text: string; colour: TagColour }> = {
  awaiting_response: { text: 'Awaiting response', colour: 'grey' },
  parsed: { text: 'Parsed', colour: 'blue' },
  awaiting_approval: { text: 'Awaiting approval', colour: 'yellow' },
  approved: { text: 'Approved', colour: 'green' },
  changes_requested: { text: 'Changes requested', colour: 'red' },
};

export function statusTag(status: PlanStatus, large = false): SafeHtml {
  const { text, colour } = STATUS_LABELS[status];
  return tag(text, colour, large ? 'tag-large' : undefined);
}

/** An error summary at the top of a page (role alert), with one message per line. */
export function errorSummary(messages: readonly string[]): SafeHtml {
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">There is a problem</h2>
<ul>${messages.map((message) => html`<li>${message}</li>`)}</ul>
</div>
`;
}

/** A success message at the top of a page. */
export function successBanner(message: HtmlValue): SafeHtml {
  return html`<div class="banner" role="status"><p>${message}</p></div>
`;
}

/** A query string from the parameters that have a value ("" when none). */
export function queryString(parameters: Record<string, string | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value) search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A page that only says something (a 404, a refused request), in the UI's frame. */
export function renderMessagePage({ title, message, status }: { title: string; message: string; status: number }): HtmlPage {
  return layout({
    title,
    body: html`<h1>${title}</h1>
<p>${message}</p>
<p><a href="/">See all plans</a></p>`,
    status,
    current: null,
  });
}

export function renderNotFoundPage(message: string): HtmlPage {
  return renderMessagePage({ title: 'Page not found', message, status: 404 });
}


/** A plan's format for a person (its record's label); a draft has none yet. */
export function formatLabel(format: PlanFormat | null): string {
  return format ? planFormatRecord(format).label : 'Not answered yet';
}
