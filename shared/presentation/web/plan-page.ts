import { actionStatusOf } from '../../domain/action-status.ts';
import { DECISION_WORDINGS, type DecisionStance, hasDecisionColumn, itemKindRecord, planFormatRecord } from '../../domain/plan-formats.ts';
import { DECISIONS, type Action, type Decision, type PlanFormat, type PlanItem } from '../../domain/plan.ts';
import type { PlanDetail } from '../../usecases/get-plan.ts';
import { type HtmlPage, type SafeHtml, formatDate, html } from '../html.ts';
import { type TagColour, errorSummary, formatLabel, layout, statusTag, successBanner, tag } from './layout.ts';

/**
 * One plan (GET /ui/plans/{id}): its facts and status, summary counts, two charts (decisions;
 * actions by the month they are due, months with overdue actions in red), then its items by
 * section with their decisions, actions, owners and targets, overdue targets flagged against
 * `today`. Offers "Send for approval" while the plan is parsed or sent back, to those who may send it.
 */

export interface PlanPageInput {
  detail: PlanDetail;
  /** The items of the plan's current revision, in document order. */
  items: readonly PlanItem[];
  /** ISO date (UTC) against which targets are overdue. */
  today: string;
  /** The plan was just sent for approval (`?sent=1`), or found already in approval (`?sent=already`). */
  sent?: boolean | 'already';
  /** Why the last request failed (`?error=`). */
  error?: string;
  /** Whether the person reading may send the plan for approval (its establishment's staff, admins); default true. */
  canSend?: boolean;
}

export const SENT_FOR_APPROVAL_MESSAGE = 'Sent for approval: the approvers have been emailed (see the outbox)';
export const ALREADY_IN_APPROVAL_MESSAGE = 'Already in approval: its approvers were emailed when it was sent, and nothing was sent again';

/** The tag colour of a decision, by how far it goes along with the recommendation. */
const STANCE_COLOURS: Record<DecisionStance, TagColour> = { accepts: 'green', partly: 'amber', declines: 'red' };

/** Each decision of every format's vocabulary as a tag shows it (plan-formats.ts), and "No decision". */
export const DECISION_LABELS: Record<Decision | 'none', { text: string; colour: TagColour }> = {
  ...(Object.fromEntries(
    DECISION_WORDINGS.map(({ decision, label, stance }) => [decision, { text: label, colour: STANCE_COLOURS[stance] }]),
  ) as Record<Decision, { text: string; colour: TagColour }>),
  none: { text: 'No decision', colour: 'grey' },
};

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Statuses from which a plan can be sent for approval. */
/** `awaiting_approval` too: sending again finds the run still waiting, or starts a new one if its execution has gone (e.g. the local runner restarted). */
export const SENDABLE_STATUSES = ['parsed', 'changes_requested', 'awaiting_approval'] as const;

export function decisionTag(decision: Decision | null): SafeHtml {
  const { text, colour } = DECISION_LABELS[decision ?? 'none'];
  return tag(text, colour, 'decision');
}

/** The action's earliest dated target, as the API's `due`. */
function dueOf(action: Action): string | null {
  const dates = action.targets.flatMap((target) => (target.due ? [target.due] : []));
  return dates.length ? dates.reduce((a, b) => (a < b ? a : b)) : null;
}

// ---------------------------------------------------------------------------------------------
// Charts (inline SVG, with the numbers as text too)

/** Horizontal bars of items by decision, in the vocabulary's order, "No decision" last. */
export function decisionChart(itemsByDecision: Record<string, number>): SafeHtml {
  const rows = [...DECISIONS, 'none' as const]
    .map((decision) => ({ decision, count: itemsByDecision[decision] ?? 0 }))
    .filter((row) => row.count > 0);
  if (rows.length === 0) return html`<p class="hint">No items.</p>\n`;
  const max = Math.max(...rows.map((row) => row.count));
  const labelWidth = 240;
  const barSpace = 320;
  const rowHeight = 34;
  const width = labelWidth + barSpace + 60;
  const height = rows.length * rowHeight + 10;
  const description = rows.map((row) => `${DECISION_LABELS[row.decision].text}: ${row.count}`).join(', ');
  return html`<svg class="chart decision-chart" role="img" aria-labelledby="decision-chart-title decision-chart-desc" width="${width}" height="${height}" viewBox="${`0 0 ${width} ${height}`}">
<title id="decision-chart-title">Items by decision</title>
<desc id="decision-chart-desc">${description}</desc>
${rows.map(({ decision, count }, index) => {
  const y = 5 + index * rowHeight;
  const barWidth = Math.max(2, Math.round((count / max) * barSpace));
  const label = DECISION_LABELS[decision].text;
  return html`<g class="row">
<text x="${labelWidth - 10}" y="${y + 21}" text-anchor="end">${label}</text>
<rect class="${`bar ${decision}`}" x="${labelWidth}" y="${y + 4}" width="${barWidth}" height="${rowHeight - 10}"><title>${`${label}: ${count}`}</title></rect>
<text class="count" x="${labelWidth + barWidth + 8}" y="${y + 21}">${count}</text>
</g>
`;
})}</svg>
`;
}

export interface MonthCount {
  /** `YYYY-MM`. */
  month: string;
  actions: number;
  overdue: number;
}

/** Actions by the month of their earliest due date, every month from the first to the last (gaps only when that spans over six years). */
export function actionsByDueMonth(items: readonly PlanItem[], today: string): MonthCount[] {
  const counts = new Map<string, MonthCount>();
  for (const item of items) {
    for (const action of item.actions) {
      const due = dueOf(action);
      if (due === null) continue;
      const month = due.slice(0, 7);
      const entry = counts.get(month) ?? { month, actions: 0, overdue: 0 };
      entry.actions++;
      if (actionStatusOf({ targets: action.targets, due }, today) === 'overdue') entry.overdue++;
      counts.set(month, entry);
    }
  }
  const months = [...counts.keys()].sort();
  const first = months[0];
  const last = months[months.length - 1];
  if (!first || !last) return [];
  const index = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  if (index(last) - index(first) > 72) return months.map((month) => counts.get(month)!);
  const all: MonthCount[] = [];
  for (let i = index(first); i <= index(last); i++) {
    const month = `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
    all.push(counts.get(month) ?? { month, actions: 0, overdue: 0 });
  }
  return all;
}

const monthName = (month: string): string => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;

/** Vertical bars of actions by due month; a month with an overdue action is red. */
export function dueMonthChart(months: readonly MonthCount[]): SafeHtml {
  if (months.length === 0) return html`<p class="hint">No action has a dated target.</p>\n`;
  const max = Math.max(...months.map((month) => month.actions), 1);
  const step = 34;
  const left = 10;
  const chartHeight = 160;
  const top = 20;
  const width = Math.max(300, left * 2 + months.length * step);
  const height = top + chartHeight + 44;
  const baseline = top + chartHeight;
  const overdueMonths = months.filter((month) => month.overdue > 0).length;
  const description = months
    .filter((month) => month.actions > 0)
    .map((month) => `${monthName(month.month)}: ${month.actions}${month.overdue ? ` (${month.overdue} overdue)` : ''}`)
    .join(', ');
  return html`<p class="legend"><span class="swatch blue"></span>Actions due that month <span class="swatch red"></span>Months with overdue actions (${overdueMonths})</p>
<svg class="chart month-chart" role="img" aria-labelledby="month-chart-title month-chart-desc" width="${width}" height="${height}" viewBox="${`0 0 ${width} ${height}`}">
<title id="month-chart-title">Actions by the month they are due</title>
<desc id="month-chart-desc">${description}</desc>
<line class="axis" x1="${left}" y1="${baseline}" x2="${width - left}" y2="${baseline}"></line>
${months.map((month, index) => {
  const x = left + index * step;
  const barHeight = month.actions === 0 ? 0 : Math.max(2, Math.round((month.actions / max) * (chartHeight - 20)));
  const showYear = index === 0 || month.month.endsWith('-01');
  return html`<g class="month" data-month="${month.month}">
${month.actions > 0
    ? html`<rect class="${month.overdue > 0 ? 'bar overdue' : 'bar'}" x="${x + 4}" y="${baseline - barHeight}" width="${step - 8}" height="${barHeight}"><title>${`${monthName(month.month)}: ${month.actions} action(s)${month.overdue ? `, ${month.overdue} overdue` : ''}`}</title></rect>
<text class="count" x="${x + step / 2}" y="${baseline - barHeight - 4}" text-anchor="middle">${month.actions}</text>
`
    : null}<text x="${x + step / 2}" y="${baseline + 16}" text-anchor="middle">${(MONTH_NAMES[Number(month.month.slice(5, 7)) - 1] ?? '').slice(0, 3)}</text>
${showYear ? html`<text x="${x + step / 2}" y="${baseline + 34}" text-anchor="middle">${month.month.slice(0, 4)}</text>\n` : null}</g>
`;
})}</svg>
<details><summary>The months as a table</summary>
<table>
<thead><tr><th scope="col">Month due</th><th scope="col">Actions</th><th scope="col">Overdue</th></tr></thead>
<tbody>
${months
  .filter((month) => month.actions > 0)
  .map((month) => html`<tr><td>${monthName(month.month)}</td><td>${month.actions}</td><td>${month.overdue}</td></tr>\n`)}</tbody>
</table>
</details>
`;
}

// ---------------------------------------------------------------------------------------------
// Items

export interface SectionGroup {
  /** The section's name; "Other" for items without one. */
  heading: string;
  items: PlanItem[];
}

/** Items by section, sections in the order they first appear; items without a section last, under "Other". */
export function groupBySection(items: readonly PlanItem[]): SectionGroup[] {
  const groups = new Map<string, PlanItem[]>();
  const other: PlanItem[] = [];
  for (const item of items) {
    const section = item.section?.trim();
    if (!section) {
      other.push(item);
      continue;
    }
    const group = groups.get(section) ?? [];
    group.push(item);
    groups.set(section, group);
  }
  const result = [...groups].map(([heading, sectionItems]) => ({ heading, items: sectionItems }));
  if (other.length) result.push({ heading: 'Other', items: other });
  return result;
}

function actionHtml(action: Action, today: string): SafeHtml {
  const status = actionStatusOf({ targets: action.targets, due: dueOf(action) }, today);
  return html`<li class="${`action action-${status}`}">
<p class="text">${action.text || 'No action text.'}${status === 'completed' ? html` ${tag('Completed', 'green')}` : null}</p>
<dl>
<dt>Owners</dt><dd>${action.owners.length
    ? html`<ul class="owners">${action.owners.map((owner) => html`<li>${owner}</li>`)}</ul>`
    : html`<span class="hint">None named</span>`}</dd>
<dt>Targets</dt><dd>${action.targets.length
    ? html`<ul class="targets">${action.targets.map((target) => {
        const overdue = status !== 'completed' && target.due !== null && target.due < today;
        return html`<li${overdue ? html` class="overdue-target"` : null}>${target.raw}${target.due ? html` <span class="hint">(due ${formatDate(target.due)})</span>` : null}${overdue ? html` ${tag('Overdue', 'red', 'overdue')}` : null}</li>`;
      })}</ul>`
    : html`<span class="hint">None</span>`}</dd>
</dl>
</li>
`;
}

/**
 * Whether the plan's format has a decision column. Those without (2023+ concerns) answer their items
 * with actions only, so show no decision tag or chart. A draft (no format yet) shows its "No decision" tags.
 */
const hasDecisions = (format: PlanFormat | null) => format === null || hasDecisionColumn(planFormatRecord(format));

/**
 * The decision chart; for a format without a decision column, why there is none: its items are
 * answered by their actions alone.
 */
function decisionsOverview(format: PlanFormat | null, itemsByDecision: Record<string, number>): SafeHtml {
  const record = format === null ? null : planFormatRecord(format);
  if (record === null || hasDecisionColumn(record)) return decisionChart(itemsByDecision);
  return html`<p class="hint">This plan's format (${record.description}) has no decision column: each ${record.itemNoun.one} is answered by its actions.</p>
`;
}

function itemHtml(item: PlanItem, today: string, id: string, withDecision = true): SafeHtml {
  return html`<article class="item" aria-labelledby="${id}">
<h4 id="${id}"><span class="ref">${item.ref}</span> ${tag(itemKindRecord(item.kind).label, 'blue', 'kind')}${withDecision ? html` ${decisionTag(item.decision)}` : null}</h4>
${item.addressee ? html`<p class="hint">To ${item.addressee}</p>\n` : null}<p class="text">${item.text}</p>
${item.actions.length
    ? html`<ul class="actions" aria-label="${`Actions for ${item.ref}`}">
${item.actions.map((action) => actionHtml(action, today))}</ul>
`
    : html`<p class="hint">No actions.</p>\n`}</article>
`;
}

// ---------------------------------------------------------------------------------------------
// The page

export const approvalFormAction = (planId: string): string => `/ui/plans/${encodeURIComponent(planId)}/approval`;

export function renderPlanPage(input: PlanPageInput): HtmlPage {
  const { detail, items, today, sent, error, canSend = true } = input;
  const { plan, counts } = detail;
  const name = plan.establishment ?? plan.planId;
  const title = `${name} action plan`;
  const sendable = canSend && (SENDABLE_STATUSES as readonly string[]).includes(plan.status);
  const decisions = hasDecisions(plan.format) ? [...DECISIONS, 'none' as const].filter((decision) => (counts.itemsByDecision[decision] ?? 0) > 0) : [];
  const groups = groupBySection(items);
  const body = html`${error ? errorSummary([error]) : null}${sent
    ? successBanner(html`${sent === 'already' ? ALREADY_IN_APPROVAL_MESSAGE : SENT_FOR_APPROVAL_MESSAGE}. <a href="/outbox">Open the outbox</a>`)
    : null}<p><a href="/">Back to plans</a></p>
<h1>${title}</h1>
<p class="plan-status">Status: ${statusTag(plan.status, true)}</p>
<dl class="facts">
<dt>Establishment</dt><dd>${plan.establishment ?? 'Not known'}</dd>
<dt>Source file</dt><dd>${plan.source}</dd>
<dt>Report published</dt><dd>${plan.reportPublished ? formatDate(plan.reportPublished) : 'Not known'}</dd>
<dt>Inspection</dt><dd>${plan.inspection ? `${formatDate(plan.inspection.from)} to ${formatDate(plan.inspection.to)}` : 'Not known'}</dd>
${plan.planSubmitted ? html`<dt>Plan submitted</dt><dd>${formatDate(plan.planSubmitted)}</dd>\n` : null}<dt>Format</dt><dd>${formatLabel(plan.format)}</dd>
<dt>Revision</dt><dd>${plan.currentRevision}</dd>
</dl>
${sendable
    ? html`<form method="post" action="${approvalFormAction(plan.planId)}" class="approval-form">
<button type="submit" class="${plan.status === 'awaiting_approval' ? 'button secondary' : 'button'}">${plan.status === 'awaiting_approval' ? 'Send for approval again' : 'Send for approval'}</button>
</form>
`
    : null}${plan.warnings.length
    ? html`<div class="inset"><p><strong>Check these when reading the plan:</strong></p><ul>${plan.warnings.map((warning) => html`<li>${warning}</li>`)}</ul></div>\n`
    : null}<h2>Summary</h2>
<ul class="counts" id="summary">
<li><strong>${counts.items}</strong> items</li>
<li><strong>${counts.actions}</strong> actions</li>
${decisions.map((decision) => html`<li class="${`decision-count ${decision}`}"><strong>${counts.itemsByDecision[decision] ?? 0}</strong> ${DECISION_LABELS[decision].text.toLowerCase()}</li>\n`)}<li${counts.actionsByStatus.overdue > 0 ? html` class="warn"` : null}><strong>${counts.actionsByStatus.overdue}</strong> overdue actions</li>
<li><strong>${counts.undatedActions}</strong> undated actions</li>
</ul>
<h2>Decisions</h2>
${decisionsOverview(plan.format, counts.itemsByDecision)}<h2>Actions by month due</h2>
${dueMonthChart(actionsByDueMonth(items, today))}<h2>Items</h2>
${groups.length === 0
    ? html`<p>This plan has no items.</p>\n`
    : groups.map(
        (group) => html`<section class="section">
<h3>${group.heading} <span class="hint">(${group.items.length} ${group.items.length === 1 ? 'item' : 'items'})</span></h3>
${group.items.map((item) => itemHtml(item, today, `item-${items.indexOf(item) + 1}`, hasDecisions(plan.format)))}</section>
`,
      )}`;
  return layout({ title: error ? `Error: ${title}` : title, body, status: 200, current: 'plans' });
}
