import { PLAN_STATUSES, type PlanStatus } from '../../domain/plan.ts';
import type { Page } from '../../ports/plan-queries.ts';
import type { PlanListing } from '../../usecases/query-views.ts';
import { type HtmlPage, type SafeHtml, formatDate, html } from '../html.ts';
import { STATUS_LABELS, errorSummary, formatLabel, layout, queryString, statusTag } from './layout.ts';

/**
 * The plans list (GET /): a filter form (establishment, status, published from / to, sent as a GET
 * query), one row per plan linking to its page, the API's opaque cursor as a "Next page" link, and
 * an empty state that says how to get plans in.
 */

export interface PlanFilters {
  establishment?: string;
  status?: PlanStatus;
  from?: string;
  to?: string;
}

export interface PlansPageInput {
  /** The page of plans to show; null when the query could not be run (see `problems`). */
  page: Page<PlanListing> | null;
  filters: PlanFilters;
  /** Establishments to choose from (id and name). */
  establishments: readonly { establishmentId: string; name: string }[];
  /** The cursor this page was read with, if any (a "First page" link is then offered). */
  cursor?: string;
  /** Problems with the filters, for a person; the page is served with status 400. */
  problems?: readonly string[];
}

export const planHref = (planId: string): string => `/ui/plans/${encodeURIComponent(planId)}`;

function filterForm({ filters, establishments }: PlansPageInput): SafeHtml {
  const known = new Set(establishments.map((establishment) => establishment.establishmentId));
  const options = [...establishments];
  if (filters.establishment && !known.has(filters.establishment)) {
    options.push({ establishmentId: filters.establishment, name: filters.establishment });
  }
  return html`<form method="get" action="/" class="filters" role="search" aria-label="Filter plans">
<div><label for="establishment">Establishment</label>
<select id="establishment" name="establishment">
<option value="">All establishments</option>
${options.map(
  ({ establishmentId, name }) =>
    html`<option value="${establishmentId}"${establishmentId === filters.establishment ? html` selected` : null}>${name}</option>\n`,
)}</select></div>
<div><label for="status">Status</label>
<select id="status" name="status">
<option value="">Any status</option>
${PLAN_STATUSES.map(
  (status) => html`<option value="${status}"${status === filters.status ? html` selected` : null}>${STATUS_LABELS[status].text}</option>\n`,
)}</select></div>
<div><label for="from">Published from</label><input type="date" id="from" name="from" value="${filters.from ?? ''}"></div>
<div><label for="to">Published to</label><input type="date" id="to" name="to" value="${filters.to ?? ''}"></div>
<div class="buttons"><button type="submit" class="button">Filter</button> <a href="/" class="button secondary">Clear</a></div>
</form>
`;
}

function plansTable(plans: readonly PlanListing[]): SafeHtml {
  return html`<table>
<caption class="visually-hidden">Plans, newest report first</caption>
<thead><tr><th scope="col">Establishment</th><th scope="col">Report published</th><th scope="col">Status</th><th scope="col">Format</th><th scope="col">Items</th><th scope="col">Actions</th><th scope="col">Revision</th></tr></thead>
<tbody>
${plans.map(
  (plan) => html`<tr>
<th scope="row"><a href="${planHref(plan.planId)}">${plan.establishment ?? plan.planId}</a></th>
<td>${plan.reportPublished ? formatDate(plan.reportPublished) : 'Not known'}</td>
<td>${statusTag(plan.status)}</td>
<td>${formatLabel(plan.format)}</td>
<td>${plan.itemCount}</td>
<td>${plan.actionCount}</td>
<td>${plan.currentRevision}</td>
</tr>
`,
)}</tbody>
</table>
`;
}

function emptyState(filtered: boolean): SafeHtml {
  if (filtered) {
    return html`<p>No plans match these filters. <a href="/">Clear the filters</a> to see every plan.</p>\n`;
  }
  return html`<div class="inset">
<p>No plans have been stored yet.</p>
<p><a href="/ui/upload">Upload an action plan or an inspection report</a> (PDF), or start the local stack with the demonstration plans: <code>npm start -- --demo</code>.</p>
</div>
`;
}

export function renderPlansPage(input: PlansPageInput): HtmlPage {
  const { page: plans, filters, cursor, problems = [] } = input;
  const filtered = Boolean(filters.establishment || filters.status || filters.from || filters.to);
  const filterQuery = { establishment: filters.establishment, status: filters.status, from: filters.from, to: filters.to };
  const title = 'Plans';
  const body = html`${problems.length ? errorSummary(problems) : null}<h1>${title}</h1>
<p><a href="/ui/upload">Upload a plan or report</a></p>
${filterForm(input)}${plans === null
    ? null
    : plans.items.length === 0 && !plans.cursor
      ? emptyState(filtered || Boolean(cursor))
      : plans.items.length === 0
        ? html`<p>No plans on this page; there may be more on the next.</p>\n`
        : plansTable(plans.items)}${plans && (plans.cursor || cursor)
    ? html`<nav class="pagination" aria-label="Pages of plans">
${cursor ? html`<a href="${`/${queryString(filterQuery)}`}">First page</a>\n` : null}${plans.cursor
        ? html`<a href="${`/${queryString({ ...filterQuery, cursor: plans.cursor })}`}" rel="next">Next page</a>\n`
        : null}</nav>
`
    : null}`;
  return layout({ title: problems.length ? `Error: ${title}` : title, body, status: problems.length ? 400 : 200, current: 'plans' });
}
