import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/domain/access.ts';
import type { Plan, PlanItem, PlanStatus } from '../../shared/domain/plan.ts';
import type { StoredPlan } from '../../shared/ports/plan-store.ts';
import { layout, withLayout, withSignedInUser } from '../../shared/presentation/web/layout.ts';
import {
  SENT_FOR_APPROVAL_MESSAGE,
  actionsByDueMonth,
  groupBySection,
  renderPlanPage,
} from '../../shared/presentation/web/plan-page.ts';
import { renderPlansPage } from '../../shared/presentation/web/plans-page.ts';
import { renderSignInPage } from '../../shared/presentation/web/sign-in-page.ts';
import { renderUploadPage } from '../../shared/presentation/web/upload-page.ts';
import { html, page } from '../../shared/presentation/html.ts';
import { getPlan, type PlanDetail } from '../../shared/usecases/get-plan.ts';
import type { PlanListing } from '../../shared/usecases/query-views.ts';
import { loadTruth } from '../helpers/fixtures.ts';

const admin: Principal = { subject: 'test', role: 'admin', establishmentId: null, email: null };
const liverpool = loadTruth('hmp-liverpool-2018');

function storedPlanOf(plan: Plan, overrides: Partial<StoredPlan> = {}): StoredPlan {
  const { items, ...rest } = plan;
  return {
    ...rest,
    warnings: plan.warnings ?? [],
    planId: 'liverpool-2018-01-19',
    establishmentId: 'liverpool',
    status: 'parsed',
    currentRevision: 1,
    itemCount: items.length,
    actionCount: items.reduce((sum, item) => sum + item.actions.length, 0),
    createdAt: '2026-01-10T10:00:00.000Z',
    updatedAt: '2026-01-10T10:00:00.000Z',
    ...overrides,
  };
}

/** The detail the API's use-case computes, over an in-memory store. */
async function detailOf(plan: Plan, today: string, overrides: Partial<StoredPlan> = {}): Promise<PlanDetail> {
  const stored = storedPlanOf(plan, overrides);
  return getPlan(stored.planId, admin, {
    plans: { getPlan: async () => stored, listItems: async () => plan.items },
    clock: { now: () => new Date(`${today}T12:00:00Z`) },
  });
}

async function renderPlan(plan: Plan, today: string, options: { status?: PlanStatus; sent?: boolean | 'already'; error?: string; canSend?: boolean } = {}) {
  const detail = await detailOf(plan, today, options.status ? { status: options.status } : {});
  return renderPlanPage({
    detail,
    items: plan.items,
    today,
    ...(options.sent ? { sent: options.sent } : {}),
    ...(options.error ? { error: options.error } : {}),
    ...(options.canSend === undefined ? {} : { canSend: options.canSend }),
  });
}

const count = (text: string, fragment: string | RegExp): number =>
  typeof fragment === 'string' ? text.split(fragment).length - 1 : [...text.matchAll(new RegExp(fragment, 'g'))].length;

/** The markup between an opening tag containing `start` and the next `end`. */
function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  expect(from, `${start} is on the page`).toBeGreaterThanOrEqual(0);
  const to = text.indexOf(end, from);
  return text.slice(from, to === -1 ? undefined : to + end.length);
}

function item(overrides: Partial<PlanItem>): PlanItem {
  return { ref: '1.1', kind: 'recommendation', addressee: null, section: 'Safety', text: 'Reduce violence.', decision: 'agreed', actions: [], ...overrides };
}

const smallPlan = (items: PlanItem[]): Plan => ({
  source: 'small.pdf',
  establishment: 'HMP Small',
  format: 'agreed-2018',
  inspection: { from: '2025-06-02', to: '2025-06-13' },
  reportPublished: '2025-10-01',
  planSubmitted: null,
  items,
  summary: null,
  warnings: [],
});

describe('the plan page on HMP Liverpool 2018 (72 items: 55 agreed, 10 partly, 7 not agreed)', () => {
  const today = '2018-06-01';

  it('shows the title facts, the status and the summary counts', async () => {
    const { status, html: text } = await renderPlan(liverpool, today);
    expect(status).toBe(200);
    expect(text).toContain('<h1>HMP Liverpool action plan</h1>');
    expect(text).toContain('<dt>Report published</dt><dd>19 January 2018</dd>');
    expect(text).toContain('<dt>Source file</dt><dd>hmp-liverpool-2018.pdf</dd>');
    expect(text).toContain('<dt>Revision</dt><dd>1</dd>');
    expect(text).toMatch(/class="tag tag-blue tag-large">Parsed</);
    expect(text).toContain('<li><strong>72</strong> items</li>');
    expect(text).toMatch(/<strong>55<\/strong> agreed<\/li>/);
    expect(text).toMatch(/<strong>10<\/strong> partly agreed<\/li>/);
    expect(text).toMatch(/<strong>7<\/strong> not agreed<\/li>/);
    expect(text).toMatch(/<strong>48<\/strong> undated actions/);
  });

  it('groups the items by section, in order of appearance, items without a section last under "Other"', async () => {
    const { html: text } = await renderPlan(liverpool, today);
    const headings = [...text.matchAll(/<h3>([^<]+) <span class="hint">\((\d+) items?\)<\/span><\/h3>/g)].map((match) => [match[1], Number(match[2])]);
    expect(headings[0]).toEqual(['Staff-prisoner relationships', 2]);
    expect(headings.at(-1)).toEqual(['Other', 7]);
    expect(headings).toHaveLength(15);
    expect(headings.reduce((sum, [, n]) => sum + (n as number), 0)).toBe(72);
    expect(count(text, '<article class="item"')).toBe(72);
    // Each item under its own section's heading.
    const other = text.slice(text.indexOf('<h3>Other '));
    expect(other).toContain('<span class="ref">5.1</span>');
    expect(count(other, '<article class="item"')).toBe(7);
  });

  it('tags each decision with its colour and text', async () => {
    const { html: text } = await renderPlan(liverpool, today);
    expect(count(text, '<strong class="tag tag-green decision">Agreed</strong>')).toBe(55);
    expect(count(text, '<strong class="tag tag-amber decision">Partly agreed</strong>')).toBe(10);
    expect(count(text, '<strong class="tag tag-red decision">Not agreed</strong>')).toBe(7);
  });

  it('charts the decisions as labelled horizontal bars with their counts as text', async () => {
    const { html: text } = await renderPlan(liverpool, today);
    const chart = between(text, '<svg class="chart decision-chart"', '</svg>');
    expect(count(chart, '<rect class="bar ')).toBe(3);
    expect(chart).toContain('<title id="decision-chart-title">Items by decision</title>');
    expect(chart).toContain('<desc id="decision-chart-desc">Agreed: 55, Partly agreed: 10, Not agreed: 7</desc>');
    expect([...chart.matchAll(/<text class="count"[^>]*>(\d+)<\/text>/g)].map((match) => match[1])).toEqual(['55', '10', '7']);
    expect(chart).toMatch(/<text[^>]*>Partly agreed<\/text>/);
    expect(chart).toContain('role="img"');
  });

  it('charts actions by month due over every month from the first to the last, overdue months in red', async () => {
    const { html: text } = await renderPlan(liverpool, today);
    const chart = between(text, '<svg class="chart month-chart"', '</svg>');
    const months = actionsByDueMonth(liverpool.items, today);
    expect(months[0]!.month).toBe('2018-01');
    expect(months.at(-1)!.month).toBe('2020-12');
    expect(months).toHaveLength(36);
    expect(count(chart, 'class="month"')).toBe(36);
    expect(count(chart, /<rect class="bar( overdue)?"/)).toBe(14);
    expect(months.reduce((sum, month) => sum + month.actions, 0)).toBe(
      liverpool.items.reduce((sum, it) => sum + it.actions.filter((action) => action.targets.some((target) => target.due)).length, 0),
    );
    // Overdue only before June 2018; none after.
    const overdueMonths = months.filter((month) => month.overdue > 0).map((month) => month.month);
    expect(overdueMonths.length).toBeGreaterThan(0);
    expect(overdueMonths.every((month) => month < '2018-06')).toBe(true);
    expect(count(chart, '<rect class="bar overdue"')).toBe(overdueMonths.length);
    expect(chart).toMatch(/<g class="month" data-month="2018-03">\s*<rect class="bar overdue"[^>]*><title>March 2018: 23 action\(s\)/);
    expect(chart).toMatch(/<text [^>]*>Mar<\/text>/);
    expect(chart).toMatch(/<text [^>]*>2019<\/text>/);
  });
});

describe('actions and targets', () => {
  const today = '2026-03-01';
  const plan = smallPlan([
    item({
      ref: '1.1',
      actions: [
        { text: 'Late action', owners: ['Head of Safety', 'Deputy Governor'], targets: [{ raw: 'January 2026', due: '2026-01-31' }, { raw: 'June 2026', due: '2026-06-30' }] },
        { text: 'Done action', owners: [], targets: [{ raw: 'Completed January 2026', due: '2026-01-31' }] },
        { text: 'Future action', owners: ['Governor'], targets: [{ raw: 'December 2026', due: '2026-12-31' }] },
        { text: 'Undated action', owners: ['Governor'], targets: [{ raw: 'Ongoing', due: null }] },
      ],
    }),
    item({ ref: '1.2', section: null, decision: null, kind: 'key_concern' }),
    item({ ref: '2.1', section: 'Respect', decision: 'accepted_subject_to_resources' }),
    item({ ref: '1.3', section: 'Safety', decision: 'rejected' }),
  ]);

  it('highlights targets due before today of actions not completed, and only those', async () => {
    const { html: text } = await renderPlan(plan, today);
    expect(count(text, '<strong class="tag tag-red overdue">Overdue</strong>')).toBe(1);
    expect(text).toMatch(/<li class="overdue-target">January 2026 <span class="hint">\(due 31 January 2026\)<\/span> <strong class="tag tag-red overdue">Overdue<\/strong><\/li>/);
    expect(text).toContain('<li>June 2026 <span class="hint">(due 30 June 2026)</span></li>');
    expect(text).toContain('<li>Completed January 2026 <span class="hint">(due 31 January 2026)</span></li>');
    expect(text).toContain('<li class="action action-completed">');
    expect(text).toMatch(/<strong>1<\/strong> overdue actions/);
    expect(text).toMatch(/<strong>1<\/strong> undated actions/);
    // The same action is not overdue the day it is due.
    const onTheDay = await renderPlan(plan, '2026-01-31');
    expect(onTheDay.html).not.toContain('>Overdue</strong>');
  });

  it('lists owners, and says when none is named', async () => {
    const { html: text } = await renderPlan(plan, today);
    expect(text).toContain('<ul class="owners"><li>Head of Safety</li><li>Deputy Governor</li></ul>');
    expect(text).toContain('<span class="hint">None named</span>');
  });

  it('tags every decision vocabulary, and items without one in grey', async () => {
    const { html: text } = await renderPlan(plan, today);
    expect(text).toContain('<strong class="tag tag-amber decision">Accepted subject to resources</strong>');
    expect(text).toContain('<strong class="tag tag-red decision">Rejected</strong>');
    expect(text).toContain('<strong class="tag tag-grey decision">No decision</strong>');
    expect(text).toContain('<strong class="tag tag-blue kind">Key concern</strong>');
  });

  it('groups sections that recur later in the document under one heading', () => {
    expect(groupBySection(plan.items).map((group) => [group.heading, group.items.map((it) => it.ref)])).toEqual([
      ['Safety', ['1.1', '1.3']],
      ['Respect', ['2.1']],
      ['Other', ['1.2']],
    ]);
  });

  it('escapes text from the document everywhere it appears', async () => {
    const hostile = smallPlan([
      item({
        section: '<b>Section</b>',
        text: 'Before <script>alert("x")</script> after',
        actions: [{ text: '<img src=x onerror=alert(1)>', owners: ['<script>owner</script>'], targets: [{ raw: '<i>soon</i>', due: null }] }],
      }),
    ]);
    hostile.establishment = 'HMP <script>';
    const { html: text } = await renderPlan(hostile, today);
    expect(text).not.toMatch(/<script>(?!\n\(function)/);
    expect(text).not.toContain('<img src=x');
    expect(text).toContain('Before &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; after');
    expect(text).toContain('<h3>&lt;b&gt;Section&lt;/b&gt; ');
    expect(text).toContain('<li>&lt;script&gt;owner&lt;/script&gt;</li>');
    expect(text).toContain('<h1>HMP &lt;script&gt; action plan</h1>');
  });
});

describe('status, approval form and messages', () => {
  const plan = smallPlan([item({})]);

  it.each([
    ['parsed', 'Parsed', true],
    ['changes_requested', 'Changes requested', true],
    ['awaiting_approval', 'Awaiting approval', true],
    ['approved', 'Approved', false],
    ['awaiting_response', 'Awaiting response', false],
  ] as const)('a %s plan shows "%s", with the send form: %s', async (status, text, sendable) => {
    const rendered = await renderPlan(plan, '2026-03-01', { status });
    expect(rendered.html).toMatch(new RegExp(`<p class="plan-status">Status: <strong class="tag tag-\\w+ tag-large">${text}</strong></p>`));
    const form = '<form method="post" action="/ui/plans/liverpool-2018-01-19/approval" class="approval-form">';
    expect(rendered.html.includes(form)).toBe(sendable);
    if (sendable) {
      expect(rendered.html).toMatch(
        status === 'awaiting_approval'
          ? /<button type="submit" class="button secondary">Send for approval again<\/button>/
          : /<button type="submit" class="button">Send for approval<\/button>/,
      );
    }
  });

  it('offers no send form to someone who may not send the plan', async () => {
    const rendered = await renderPlan(plan, '2026-03-01', { status: 'parsed', canSend: false });
    expect(rendered.html).not.toContain('class="approval-form"');
  });

  it('says the plan was sent, or shows the error as a summary', async () => {
    const sent = await renderPlan(plan, '2026-03-01', { sent: true });
    expect(sent.html).toContain(SENT_FOR_APPROVAL_MESSAGE);
    const already = await renderPlan(plan, '2026-03-01', { sent: 'already' });
    expect(already.html).toContain('Already in approval');
    expect(already.html).not.toContain(SENT_FOR_APPROVAL_MESSAGE);
    expect(sent.html).toContain('<a href="/outbox">Open the outbox</a>');
    expect(sent.html).not.toContain('class="error-summary"');
    const failed = await renderPlan(plan, '2026-03-01', { error: 'No approval chain is set for <small>' });
    expect(failed.html).toContain('<h2 id="error-summary-title">There is a problem</h2>');
    expect(failed.html).toContain('<li>No approval chain is set for &lt;small&gt;</li>');
    expect(failed.html).toContain('<title>Error: HMP Small action plan');
    expect(failed.html).not.toContain(SENT_FOR_APPROVAL_MESSAGE);
  });
});

describe('the plans page', () => {
  const listing = (planId: string, overrides: Partial<PlanListing> = {}): PlanListing => ({
    planId,
    establishment: 'HMP Liverpool',
    establishmentId: 'liverpool',
    status: 'approved',
    format: 'agreed-2018',
    source: 'x.pdf',
    inspection: null,
    reportPublished: '2018-01-19',
    planSubmitted: null,
    currentRevision: 2,
    itemCount: 72,
    actionCount: 190,
    createdAt: '2026-01-10T10:00:00.000Z',
    updatedAt: '2026-01-10T10:00:00.000Z',
    ...overrides,
  });
  const establishments = [
    { establishmentId: 'liverpool', name: 'HMP Liverpool' },
    { establishmentId: 'long-lartin', name: 'HMP Long Lartin' },
  ];

  it('lists plans with links, status tags and counts, and a next-page link carrying the cursor and the filters', () => {
    const rendered = renderPlansPage({
      page: { items: [listing('liverpool-2018-01-19'), listing('bristol-2026', { establishment: '<Bristol>', status: 'awaiting_response', format: null })], cursor: 'abc_-123' },
      filters: { establishment: 'liverpool', status: 'approved' },
      establishments,
    });
    expect(rendered.status).toBe(200);
    expect(count(rendered.html, '<tbody>')).toBe(1);
    expect(count(rendered.html, /<tr>\n<th scope="row">/)).toBe(2);
    expect(rendered.html).toContain('<th scope="row"><a href="/ui/plans/liverpool-2018-01-19">HMP Liverpool</a></th>');
    expect(rendered.html).toContain('<a href="/ui/plans/bristol-2026">&lt;Bristol&gt;</a>');
    expect(rendered.html).toContain('<td>19 January 2018</td>');
    expect(rendered.html).toContain('<td><strong class="tag tag-green">Approved</strong></td>');
    expect(rendered.html).toContain('<td><strong class="tag tag-grey">Awaiting response</strong></td>');
    expect(rendered.html).toContain('<td>72</td>\n<td>190</td>\n<td>2</td>');
    expect(rendered.html).toContain('<a href="/?establishment=liverpool&amp;status=approved&amp;cursor=abc_-123" rel="next">Next page</a>');
    expect(rendered.html).not.toContain('First page');
    expect(rendered.html).toContain('<option value="liverpool" selected>HMP Liverpool</option>');
    expect(rendered.html).toContain('<option value="approved" selected>Approved</option>');
    expect(rendered.html).not.toContain('href="/plans');
  });

  it('offers the first page when showing a later one, and no next page at the end', () => {
    const rendered = renderPlansPage({ page: { items: [listing('a')] }, filters: {}, establishments, cursor: 'xyz' });
    expect(rendered.html).toContain('<a href="/">First page</a>');
    expect(rendered.html).not.toContain('Next page');
  });

  it('points to Upload and the demo when there are no plans', () => {
    const rendered = renderPlansPage({ page: { items: [] }, filters: {}, establishments: [] });
    expect(rendered.html).toContain('No plans have been stored yet.');
    expect(rendered.html).toContain('<a href="/ui/upload">Upload an action plan or an inspection report</a>');
    expect(rendered.html).toContain('<code>npm start -- --demo</code>');
    expect(rendered.html).not.toContain('<table>');
    const filtered = renderPlansPage({ page: { items: [] }, filters: { status: 'approved' }, establishments: [] });
    expect(filtered.html).toContain('No plans match these filters.');
  });

  it('shows problems with the filters as an error summary with status 400', () => {
    const rendered = renderPlansPage({ page: null, filters: { from: '2020-01-01' }, establishments, problems: ['from is after to'] });
    expect(rendered.status).toBe(400);
    expect(rendered.html).toContain('<li>from is after to</li>');
    expect(rendered.html).toContain('<input type="date" id="from" name="from" value="2020-01-01">');
  });
});

describe('the upload page', () => {
  const rendered = renderUploadPage({ token: 'eyJ.token"with<quotes>' });

  it('has a file input for PDFs, a kind choice, an Upload button and a live status element', () => {
    expect(rendered.status).toBe(200);
    expect(rendered.html).toMatch(/<input type="file" id="file" name="file" accept="\.pdf,application\/pdf">/);
    expect(rendered.html).toContain('<label for="file">PDF file</label>');
    expect(rendered.html).toContain('<input type="radio" id="kind-plan" name="kind" value="plan" checked>');
    expect(rendered.html).toContain('<input type="radio" id="kind-report" name="kind" value="report">');
    expect(rendered.html).toMatch(/<button type="submit" id="upload-button" class="button">Upload<\/button>/);
    expect(rendered.html).toContain('<div id="upload-status" class="upload-status" role="status" aria-live="polite"></div>');
    expect(rendered.html).toContain('id="drop-zone"');
  });

  it('embeds the token, escaped, where the script reads it', () => {
    expect(rendered.html).toContain('data-token="eyJ.token&quot;with&lt;quotes&gt;"');
    expect(rendered.html).toContain("form.getAttribute('data-token')");
  });

  it('has the script that requests, uploads and polls, and describes each state', () => {
    const script = between(rendered.html, '<script>', '</script>');
    expect(script).toContain("fetch('/uploads'");
    expect(script).toContain("'Bearer ' + token");
    expect(script).toContain('grant.upload.url');
    expect(script).toContain('grant.statusUrl');
    expect(script).toContain('}, 500);');
    for (const text of ["'Queued'", "'Analysing page '", "' pages'", "'Parsed'", "'Failed: '", "'Open the plan'", "'/ui/plans/'"]) {
      expect(script).toContain(text);
    }
    expect(() => new Function(script.slice('<script>'.length, -'</script>'.length))).not.toThrow();
  });
});

describe('the sign-in page', () => {
  const establishments = [{ establishmentId: 'liverpool', name: 'HMP Liverpool' }];

  it('asks for a name, one of the four roles and an establishment picked from those known or typed', () => {
    const rendered = renderSignInPage({ establishments, next: '/ui/upload' });
    expect(rendered.status).toBe(200);
    expect(rendered.html).toContain('<form method="post" action="/ui/sign-in" class="sign-in">');
    expect(rendered.html).toContain('<input type="hidden" name="next" value="/ui/upload">');
    expect(rendered.html).toContain('<label for="name">Your name</label>');
    for (const role of ['viewer', 'staff', 'approver', 'admin']) expect(rendered.html).toContain(`name="role" value="${role}"`);
    expect(rendered.html).toContain('list="known-establishments"');
    expect(rendered.html).toContain('<option value="liverpool">HMP Liverpool</option>');
  });

  it('shows the problems (400) and keeps what was typed, escaped', () => {
    const rendered = renderSignInPage({ establishments, next: '/', values: { name: '"><script>', role: 'staff' }, problems: ['Choose your role'] });
    expect(rendered.status).toBe(400);
    expect(rendered.html).toContain('<li>Choose your role</li>');
    expect(rendered.html).toContain('value="&quot;&gt;&lt;script&gt;"');
    expect(rendered.html).toContain('value="staff" checked>');
  });
});

describe('the layout', () => {
  it('shows who is signed in, escaped, with a sign-out button, under the navigation', () => {
    const rendered = withSignedInUser(layout({ title: 'T', body: html`<p>x</p>`, current: 'plans' }), { name: 'Ann <b>', role: 'staff', establishmentId: 'liverpool' });
    expect(rendered.html).toContain('Signed in as <strong>Ann &lt;b&gt;</strong> (staff, liverpool)');
    expect(rendered.html).toContain('<form method="post" action="/ui/sign-out">');
    expect(rendered.html.indexOf('class="width signed-in"')).toBeGreaterThan(rendered.html.indexOf('</nav>'));
  });

  it('adds the navigation with the current section marked, to UI pages and to pages made by page()', () => {
    const ui = layout({ title: 'T', body: html`<p>x</p>`, current: 'upload' });
    expect(ui.html).toContain('<li><a href="/">Plans</a></li>');
    expect(ui.html).toContain('<li><a href="/ui/upload" aria-current="page">Upload</a></li>');
    expect(ui.html).toContain('<li><a href="/outbox">Outbox</a></li>');
    expect(ui.html.indexOf('<nav class="nav"')).toBeGreaterThan(ui.html.indexOf('</header>'));
    expect(ui.html).toMatch(/<style>[^<]*\.tag-green[^<]*<\/style>\n<\/head>/);
    const wrapped = withLayout(page({ title: 'Outbox', body: html`<h1>Outbox</h1>`, status: 404 }), 'outbox');
    expect(wrapped.status).toBe(404);
    expect(wrapped.html).toContain('<a href="/outbox" aria-current="page">Outbox</a>');
  });
});

describe('a 2023+ plan of concerns', () => {
  it('shows no decision tags or decision chart, since the format has no decision column', async () => {
    const rendered = await renderPlan(loadTruth('hmp-long-lartin-2023'), '2026-03-01');
    expect(rendered.html).toContain('has no decision column');
    expect(rendered.html).not.toContain('No decision');
    expect(rendered.html).toContain('Priority concern');
  });
});
