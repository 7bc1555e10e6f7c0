import type { ApprovalDecision, DecisionEffect, LinkProblem, Person, PlanApprovalSummary, RecordedDecision } from '../domain/approval.ts';
import { planFactsHtml, planTitle } from './approval-emails.ts';
import { type HtmlPage, type SafeHtml, formatDateTimeUtc, html, page } from './html.ts';

/**
 * The pages an approval link shows. GET on a link only ever shows the confirmation page (mail
 * scanners open links); the decision is the form's POST, answered by the "recorded" page or, when
 * the link cannot be used, a page saying why and what to do.
 */

const personText = (person: Person): string => `${person.name} (${person.email})`;

// ---------------------------------------------------------------------------------------------
// Confirmation (GET, or a refused POST shown again)

export interface ConfirmationPageInput {
  summary: PlanApprovalSummary;
  stageName: string;
  approver: Person;
  onBehalfOf: Person | null;
  expiresAt: string;
  /** The link's own URL: the form POSTs back to it. */
  formAction: string;
  /** The button the emailed link was for: shown first and emphasised. */
  preselected: ApprovalDecision | null;
  /** Why a POST was refused (e.g. "A rejection needs a comment"): shown as an error summary, status 400. */
  problem?: string;
  /** The comment the refused POST carried, shown again. */
  comment?: string;
}

function decisionButtons(preselected: ApprovalDecision | null): SafeHtml {
  const approve = (primary: boolean): SafeHtml =>
    html`<button type="submit" name="decision" value="approve" class="${primary ? 'button' : 'button secondary'}">Approve the plan</button>`;
  const reject = (primary: boolean): SafeHtml =>
    html`<button type="submit" name="decision" value="reject" class="${primary ? 'button warning' : 'button secondary'}">Reject the plan</button>`;
  if (preselected === 'reject') return html`${reject(true)}\n${approve(false)}`;
  if (preselected === 'approve') return html`${approve(true)}\n${reject(false)}`;
  return html`${approve(true)}\n${reject(true)}`;
}

export function renderConfirmationPage(input: ConfirmationPageInput): HtmlPage {
  const { summary, stageName, approver, onBehalfOf, expiresAt, formAction, preselected, problem, comment } = input;
  const title =
    preselected === 'approve'
      ? 'Confirm your approval'
      : preselected === 'reject'
        ? 'Confirm your rejection'
        : 'Approve or reject the plan';
  const hasProblem = problem !== undefined && problem.trim() !== '';
  const body = html`${hasProblem
    ? html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">There is a problem</h2>
<ul><li><a href="#comment">${problem}</a></li></ul>
</div>
`
    : null}<h1>${title}</h1>
<p>You are asked to approve or reject the ${planTitle(summary)} (revision ${summary.revision}) at the ${stageName} stage.</p>
<p>You are deciding as ${personText(approver)}${onBehalfOf ? html`, deputy for ${personText(onBehalfOf)}` : null}.</p>
<p class="inset">Nothing has been decided yet: your decision is recorded only when you press a button below. This link expires on ${formatDateTimeUtc(expiresAt)}.</p>
<h2>The plan</h2>
${planFactsHtml(summary)}
<h2>Your decision</h2>
<form method="post" action="${formAction}">
<label for="comment">Comment</label>
<p id="comment-hint" class="hint">A comment is required to reject the plan: say what needs to change. It is optional to approve. The plan’s owners will see it.</p>
${hasProblem ? html`<p id="comment-error" class="error-message"><span class="visually-hidden">Error: </span>${problem}</p>\n` : null}<textarea id="comment" name="comment" rows="6" aria-describedby="${hasProblem ? 'comment-hint comment-error' : 'comment-hint'}"${hasProblem ? html` class="error" aria-invalid="true"` : null}>${comment ?? ''}</textarea>
<div class="buttons">
${decisionButtons(preselected)}
</div>
</form>`;
  return page({ title: hasProblem ? `Error: ${title}` : title, body, status: hasProblem ? 400 : 200 });
}

// ---------------------------------------------------------------------------------------------
// Decision recorded (the POST's answer)

export type { DecisionEffect, LinkProblem } from '../domain/approval.ts';

/** The page after a decision: what was recorded and what it did. */
export type DecisionRecordedPageInput = RecordedDecision;

function effectText(effect: DecisionEffect, stageName: string, settledBy: DecisionRecordedPageInput['settledBy']): string {
  switch (effect) {
    case 'outcome_already_decided': {
      const first = settledBy
        ? `Another approver had already decided the ${stageName} stage: ${settledBy.decision === 'approve' ? 'approved' : 'rejected'} by ${settledBy.by.name}.`
        : `Another approver had already decided the ${stageName} stage.`;
      return `${first} Your decision was recorded, but it did not change the outcome.`;
    }
    case 'stage_passed':
      return `The ${stageName} stage is complete. The plan now goes to the next stage of approval; its approvers will be emailed.`;
    case 'waiting_for_others':
      return `The ${stageName} stage passes when every one of its approvers has approved. The others have been asked too.`;
    case 'changes_requested':
      return 'The plan has been sent back to its owners with your comment. Approval starts again when they upload a corrected plan as a new revision.';
    case 'plan_approved':
      return 'That was the last stage: the plan is now approved. Its owners will be told by email.';
    case 'already_recorded':
      return 'This decision had already been recorded, so nothing was changed.';
  }
}

export function renderDecisionRecordedPage(input: DecisionRecordedPageInput): HtmlPage {
  const { decision, summary, stageName, decidedAt, effect, settledBy } = input;
  const title =
    effect === 'already_recorded'
      ? 'Your decision was already recorded'
      : effect === 'outcome_already_decided'
        ? 'Another approver had already decided'
      : decision === 'approve'
        ? 'Your approval has been recorded'
        : 'Your rejection has been recorded';
  const body = html`<div class="panel"><h1>${title}</h1></div>
<p>You ${decision === 'approve' ? 'approved' : 'rejected'} the ${planTitle(summary)} (revision ${summary.revision}) at the ${stageName} stage on ${formatDateTimeUtc(decidedAt)}.</p>
<p>${effectText(effect, stageName, settledBy)}</p>
<p>You can close this page.</p>`;
  return page({ title, body, status: 200 });
}

// ---------------------------------------------------------------------------------------------
// A link that cannot be used


export interface LinkProblemPageInput {
  problem: LinkProblem;
  /** A sentence more about this case (already text for a person; never internals). */
  detail?: string;
}

const LINK_PROBLEMS: Record<LinkProblem, { status: number; title: string; what: string; todo: string }> = {
  not_found: {
    status: 404,
    title: 'This link is not recognised',
    what: 'We could not find this approval link. It may have been copied incompletely from the email.',
    todo: 'Open the link from the email again, or copy the whole address into your browser.',
  },
  forged: {
    status: 403,
    title: 'This link is not valid',
    what: 'This link has been changed or damaged since it was sent, so it cannot be used. Nothing was changed.',
    todo: 'Open the link from the email again, or copy the whole address into your browser.',
  },
  used: {
    status: 410,
    title: 'This link has already been used',
    what: 'This link has already been used to record a decision. Each link can be used once.',
    todo: 'If you think the decision recorded is wrong, contact the plan’s owners.',
  },
  expired: {
    status: 410,
    title: 'This link has expired',
    what: 'This link has expired, so it can no longer be used to record a decision. Nothing was changed.',
    todo: 'If the plan still needs your decision, you will be sent a new link. Otherwise contact the plan’s owners.',
  },
  superseded: {
    status: 410,
    title: 'This link is no longer needed',
    what: 'A newer revision of the plan was uploaded, or this stage was decided by another approver, so this link no longer applies. Nothing was changed.',
    todo: 'If a newer revision needs your decision, you will receive a new email about it.',
  },
  cross_site: {
    status: 403,
    title: 'This form was sent from another site',
    what: 'Decisions can only be sent from the approval page this link opens. The request came from another website, so it was refused. Nothing was decided.',
    todo: 'Open the link from your email again and use the form on its page.',
  },
  ended: {
    status: 410,
    title: 'This approval has already ended',
    what: 'The approval had already ended (it timed out or was stopped) before your decision reached it. Nothing was changed.',
    todo: 'If the plan still needs approval, its owners can upload it again as a new revision, and you will receive a new email.',
  },
};

export function renderLinkProblemPage({ problem, detail }: LinkProblemPageInput): HtmlPage {
  const { status, title, what, todo } = LINK_PROBLEMS[problem];
  const body = html`<h1>${title}</h1>
<p>${what}</p>
${detail ? html`<p>${detail}</p>\n` : null}<p>${todo}</p>`;
  return page({ title, body, status });
}

// ---------------------------------------------------------------------------------------------
// Something went wrong on our side

export function renderErrorPage(): HtmlPage {
  const title = 'Sorry, there is a problem with the service';
  const body = html`<h1>${title}</h1>
<p>Your decision may not have been recorded.</p>
<p>Try again later by opening the link from the email again. If the problem continues, contact the plan’s owners.</p>`;
  return page({ title, body, status: 500 });
}
