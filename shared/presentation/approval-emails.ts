import type { Uploader } from '../domain/access.ts';
import type { Person, PlanApprovalSummary } from '../domain/approval.ts';
import { DECISIONS } from '../domain/plan.ts';
import { DECISION_WORDINGS } from '../domain/plan-formats.ts';
import type { EmailMessage } from '../ports/email-sender.ts';
import { type SafeHtml, SERVICE_NAME, formatDate, formatDateTimeUtc, html, trustedHtml } from './html.ts';

/**
 * The approval flow's emails: the request to an approver (and its reminder and escalation to a
 * deputy), and the outcome told to the plan's owners. Every email has a plain-text and an HTML
 * body saying the same things; the HTML uses inline styles only, as email clients require.
 */

export type RenderedEmail = Omit<EmailMessage, 'to'>;

/** How many dated targets already past are listed by name before "and N more". */
export const PAST_TARGETS_LISTED = 10;

type DecisionKey = keyof PlanApprovalSummary['decisions'];

/** Each decision of every format's vocabulary as a sentence says it (plan-formats.ts): "partly agreed". */
export const DECISION_LABELS: Record<DecisionKey, string> = {
  ...(Object.fromEntries(DECISION_WORDINGS.map(({ decision, label }) => [decision, label.toLowerCase()])) as Record<
    Exclude<DecisionKey, 'none'>,
    string
  >),
  none: 'no decision',
};

const DECISION_ORDER: readonly DecisionKey[] = [...DECISIONS, 'none'];

// ---------------------------------------------------------------------------------------------
// The plan's facts, shared by the emails and the confirmation page

/** "HMP Liverpool action plan", or the file's name when the establishment was not found. */
export function planTitle(summary: PlanApprovalSummary): string {
  return summary.establishment ? `${summary.establishment} action plan` : `Action plan ${sourceFileName(summary.source)}`;
}

/** The file name of the source, without any folder or bucket path. */
export function sourceFileName(source: string): string {
  return source.split(/[\\/]/).filter(Boolean).pop() ?? source;
}

/** Item counts by decision, in the plan model's order, only those present: "12 agreed". */
export function decisionCounts(summary: PlanApprovalSummary): { label: string; count: number }[] {
  return DECISION_ORDER.flatMap((key) => {
    const count = summary.decisions[key] ?? 0;
    return count > 0 ? [{ label: DECISION_LABELS[key], count }] : [];
  });
}

/** The first targets already past, "ref: raw (due)", and how many more there are. */
export function pastTargets(summary: PlanApprovalSummary): { listed: string[]; more: number } {
  const listed = summary.targetsPast
    .slice(0, PAST_TARGETS_LISTED)
    .map((target) => `${target.ref}: ${oneLine(target.raw)} (${formatDate(target.due)})`);
  return { listed, more: Math.max(0, summary.targetsPast.length - PAST_TARGETS_LISTED) };
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** Line breaks and runs of spaces (common in text read from PDFs) as single spaces. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The facts about the plan as label/value pairs, in the order both bodies show them. */
export function planFacts(summary: PlanApprovalSummary): { label: string; value: string }[] {
  const counts = decisionCounts(summary);
  return [
    { label: 'Establishment', value: summary.establishment ?? 'Not found in the plan' },
    { label: 'File', value: sourceFileName(summary.source) },
    { label: 'Report published', value: summary.reportPublished ? formatDate(summary.reportPublished) : 'Not found in the plan' },
    { label: 'Revision', value: String(summary.revision) },
    ...(summary.uploadedBy === undefined ? [] : [{ label: 'Uploaded by', value: uploaderText(summary.uploadedBy) }]),
    { label: 'Items', value: `${summary.itemCount}, with ${plural(summary.actionCount, 'action')}` },
    {
      label: 'Decisions',
      value: counts.length > 0 ? counts.map(({ label, count }) => `${count} ${label}`).join(', ') : 'None',
    },
    { label: 'Actions with no owner', value: String(summary.actionsWithoutOwner) },
    { label: 'Actions with no target', value: String(summary.actionsWithoutTarget) },
    { label: 'Targets already past', value: String(summary.targetsPast.length) },
  ];
}

/** Who uploaded a revision, for an approver: "sam@liverpool.example.gov.uk (staff of liverpool)", "admin@example.gov.uk (admin)". */
export function uploaderText(uploader: Uploader | null): string {
  if (!uploader) return 'Not recorded';
  const who = uploader.email ?? `user ${uploader.subject}`;
  const as = uploader.role === 'staff' && uploader.establishmentId ? `staff of ${uploader.establishmentId}` : uploader.role;
  return `${who} (${as})`;
}

export function planFactsText(summary: PlanApprovalSummary): string {
  const lines = planFacts(summary).map(({ label, value }) => `${label}: ${value}`);
  const { listed, more } = pastTargets(summary);
  if (listed.length > 0) {
    lines.push('', 'Targets already past, by item:', ...listed.map((line) => `- ${line}`));
    if (more > 0) lines.push(`- and ${more} more`);
  }
  return lines.join('\n');
}

/** The facts as a description list, and past targets as a list (the web pages' style sheet). */
export function planFactsHtml(summary: PlanApprovalSummary): SafeHtml {
  const { listed, more } = pastTargets(summary);
  return html`<dl>
${planFacts(summary).map(({ label, value }) => html`<dt>${label}</dt><dd>${value}</dd>\n`)}</dl>
${listed.length > 0 ? html`<h2>Targets already past, by item</h2>
<ul>
${listed.map((line) => html`<li>${line}</li>\n`)}${more > 0 ? html`<li>and ${more} more</li>\n` : null}</ul>` : null}`;
}

// ---------------------------------------------------------------------------------------------
// Email layout (inline styles: many email clients drop <style> and classes)

const FONT = 'font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;';
const P = `${FONT}font-size:16px;line-height:1.5;margin:0 0 15px;`;

function emailDocument(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body style="margin:0;padding:0;background:#ffffff;">
<div style="${FONT}max-width:640px;margin:0 auto;padding:20px;">
<p style="${FONT}font-size:14px;font-weight:bold;margin:0 0 20px;padding:0 0 8px;border-bottom:6px solid #1d70b8;">${SERVICE_NAME}</p>
${body}
</div>
</body>
</html>
`.value;
}

const para = (content: SafeHtml | string): SafeHtml => html`<p style="${P}">${content}</p>\n`;
const heading = (text: string): SafeHtml =>
  html`<h2 style="${FONT}font-size:20px;margin:25px 0 10px;">${text}</h2>\n`;

function emailFactsHtml(summary: PlanApprovalSummary): SafeHtml {
  const cell = `${FONT}font-size:16px;padding:6px 12px 6px 0;border-bottom:1px solid #b1b4b6;text-align:left;vertical-align:top;`;
  const { listed, more } = pastTargets(summary);
  return html`<table style="border-collapse:collapse;margin:0 0 15px;">
${planFacts(summary).map(({ label, value }) => html`<tr><th scope="row" style="${cell}">${label}</th><td style="${cell}">${value}</td></tr>\n`)}</table>
${listed.length > 0 ? html`${heading('Targets already past, by item')}<ul style="${P}padding-left:20px;">
${listed.map((line) => html`<li>${line}</li>\n`)}${more > 0 ? html`<li>and ${more} more</li>\n` : null}</ul>\n` : null}`;
}

function emailButton(href: string, label: string, colour: string): SafeHtml {
  return html`<a href="${href}" style="${FONT}display:inline-block;font-size:18px;font-weight:bold;color:#ffffff;background:${trustedHtml(colour)};padding:12px 18px;margin:0 12px 12px 0;text-decoration:none;">${label}</a>`;
}

const personText = (person: Person): string => `${person.name} (${person.email})`;

// ---------------------------------------------------------------------------------------------
// Approval request, reminder, escalation

export interface ApprovalRequestEmailInput {
  kind: 'request' | 'reminder' | 'escalation';
  recipient: Person;
  /** For an escalation: the approver the deputy stands in for. */
  onBehalfOf: Person | null;
  stageName: string;
  stageNumber: number;
  stageCount: number;
  summary: PlanApprovalSummary;
  approveUrl: string;
  rejectUrl: string;
  /** When the links stop working (ISO instant). */
  expiresAt: string;
}

const REQUEST_CATEGORIES = {
  request: 'approval-request',
  reminder: 'approval-reminder',
  escalation: 'approval-escalation',
} as const;

export function approvalRequestSubject({ kind, onBehalfOf, stageName, summary }: ApprovalRequestEmailInput): string {
  const about = `${planTitle(summary)} (${stageName})`;
  const subject =
    kind === 'reminder'
      ? `Reminder: approval needed: ${about}`
      : kind === 'escalation' && onBehalfOf
        ? `Approval needed (deputy for ${onBehalfOf.name}): ${about}`
        : `Approval needed: ${about}`;
  return oneLine(subject);
}

/** Who is asked, and why: the opening sentences of the request. */
function requestIntro(input: ApprovalRequestEmailInput): string[] {
  const { kind, recipient, onBehalfOf, stageName, stageNumber, stageCount, summary } = input;
  const stage = `the ${stageName} stage (stage ${stageNumber} of ${stageCount})`;
  const plan = `the ${planTitle(summary)} (revision ${summary.revision})`;
  const lines = [`Dear ${recipient.name},`];
  if (kind === 'escalation' && onBehalfOf) {
    lines.push(
      `You are asked to approve or reject ${plan} as deputy for ${onBehalfOf.name}, who has not yet responded. This is ${stage}.`,
      `Your decision counts as ${onBehalfOf.name}'s.`,
    );
  } else if (kind === 'reminder') {
    lines.push(`This is a reminder: you have not yet approved or rejected ${plan}. You are asked at ${stage}.`);
  } else {
    lines.push(`You are asked to approve or reject ${plan} at ${stage}.`);
  }
  return lines;
}

const NOT_YET_DECIDED =
  'Opening a link does not decide anything: a confirmation page follows, where you can add a comment and confirm your decision.';
const REJECT_NEEDS_COMMENT = 'To reject, you must give a comment saying what needs to change.';

export function renderApprovalRequestEmail(input: ApprovalRequestEmailInput): RenderedEmail {
  const { summary, approveUrl, rejectUrl, expiresAt } = input;
  const subject = approvalRequestSubject(input);
  const intro = requestIntro(input);
  const expiry = `These links expire on ${formatDateTimeUtc(expiresAt)}. Each link can be used once.`;

  const text = [
    ...intro.flatMap((line) => [line, '']),
    'The plan',
    '',
    planFactsText(summary),
    '',
    'To approve the plan, open:',
    approveUrl,
    '',
    'To reject the plan and send it back to its owners, open:',
    rejectUrl,
    '',
    NOT_YET_DECIDED,
    REJECT_NEEDS_COMMENT,
    expiry,
    '',
    'If you were not expecting this email, you can ignore it.',
    '',
    SERVICE_NAME,
  ].join('\n');

  const body = html`${intro.map((line) => para(line))}${heading('The plan')}${emailFactsHtml(summary)}${heading('Your decision')}<p style="${P}">${emailButton(approveUrl, 'Approve the plan', '#00703c')}${emailButton(rejectUrl, 'Reject the plan', '#d4351c')}</p>
${para(NOT_YET_DECIDED)}${para(REJECT_NEEDS_COMMENT)}${para(html`<strong>${expiry}</strong>`)}<p style="${P}font-size:14px;color:#505a5f;">If a button does not work, copy the link into your browser.<br>Approve: <a href="${approveUrl}" style="color:#1d70b8;">${approveUrl}</a><br>Reject: <a href="${rejectUrl}" style="color:#1d70b8;">${rejectUrl}</a></p>
<p style="${P}font-size:14px;color:#505a5f;">If you were not expecting this email, you can ignore it.</p>
`;

  return { subject, text, html: emailDocument(subject, body), category: REQUEST_CATEGORIES[input.kind] };
}

// ---------------------------------------------------------------------------------------------
// Outcome, told to the plan's owners

export interface ApprovalComment {
  by: Person;
  onBehalfOf: Person | null;
  comment: string;
  decidedAt: string;
}

export interface PlanOutcomeEmailInput {
  outcome: 'approved' | 'changes_requested' | 'expired';
  summary: PlanApprovalSummary;
  /** The stage that decided (changes requested) or was waiting (expired); null when not known. */
  stageName: string | null;
  comments: ApprovalComment[];
}

const OUTCOME_CATEGORIES = {
  approved: 'plan-approved',
  changes_requested: 'plan-changes-requested',
  expired: 'plan-approval-expired',
} as const;

const OUTCOME_SUBJECTS = {
  approved: 'Approved',
  changes_requested: 'Changes requested',
  expired: 'Approval expired',
} as const;

function outcomeLines({ outcome, summary, stageName }: PlanOutcomeEmailInput): string[] {
  const plan = `The ${planTitle(summary)} (revision ${summary.revision})`;
  const atStage = stageName ? ` at the ${stageName} stage` : '';
  switch (outcome) {
    case 'approved':
      return [`${plan} has been approved at every stage.`, 'Nothing more is needed from you for this revision.'];
    case 'changes_requested':
      return [
        `${plan} was rejected${atStage}: the approvers have asked for changes.`,
        'Correct the plan as the comments below ask, then upload the corrected plan. It is read as a new revision, and the approval starts again from the first stage.',
      ];
    case 'expired':
      return [
        `${plan} was not approved: no decision was made${atStage} before the approval ran out of time.`,
        'Nothing was approved or rejected. To ask for approval again, send the plan for approval once more (the button on its page, or POST /plans/{id}/approval); it starts again from the first stage.',
      ];
  }
}

function commentAuthor({ by, onBehalfOf }: ApprovalComment): string {
  return onBehalfOf ? `${personText(by)}, deputy for ${onBehalfOf.name}` : personText(by);
}

function commentHeading(comment: ApprovalComment, stageName: string | null): string {
  const stage = stageName ? `, ${stageName} stage` : '';
  return `${commentAuthor(comment)}, ${formatDateTimeUtc(comment.decidedAt)}${stage}`;
}

export function renderPlanOutcomeEmail(input: PlanOutcomeEmailInput): RenderedEmail {
  const { outcome, summary, stageName, comments } = input;
  const subject = oneLine(`${OUTCOME_SUBJECTS[outcome]}: ${planTitle(summary)}`);
  const lines = outcomeLines(input);
  const commentsTitle = comments.length === 1 ? 'Comment' : 'Comments';

  const text = [
    ...lines.flatMap((line) => [line, '']),
    ...(comments.length > 0
      ? [
          `${commentsTitle}`,
          '',
          ...comments.flatMap((comment) => [`${commentHeading(comment, stageName)}:`, comment.comment.trim(), '']),
        ]
      : []),
    'The plan',
    '',
    planFactsText(summary),
    '',
    SERVICE_NAME,
  ].join('\n');

  const quote = `${FONT}font-size:16px;line-height:1.5;margin:0 0 20px;padding:10px 15px;border-left:6px solid #b1b4b6;white-space:pre-wrap;`;
  const body = html`${lines.map((line) => para(line))}${comments.length > 0
    ? html`${heading(commentsTitle)}${comments.map(
        (comment) =>
          html`<p style="${P}margin-bottom:5px;"><strong>${commentHeading(comment, stageName)}</strong></p>
<blockquote style="${quote}">${comment.comment.trim()}</blockquote>
`,
      )}`
    : null}${heading('The plan')}${emailFactsHtml(summary)}`;

  return { subject, text, html: emailDocument(subject, body), category: OUTCOME_CATEGORIES[outcome] };
}

// ---------------------------------------------------------------------------------------------
// Withdrawn: a newer revision was stored while an approver was asked about an older one

export interface ApprovalWithdrawnEmailInput {
  recipient: Person;
  /** For a deputy: the approver they were asked to stand in for. */
  onBehalfOf: Person | null;
  stageName: string;
  /** The revision that was being approved. */
  summary: PlanApprovalSummary;
  /** The revision that replaced it. */
  newRevision: number;
}

export function renderApprovalWithdrawnEmail(input: ApprovalWithdrawnEmailInput): RenderedEmail {
  const { recipient, onBehalfOf, stageName, summary, newRevision } = input;
  const subject = oneLine(`Approval request withdrawn: ${planTitle(summary)} (${stageName})`);
  const lines = [
    `Dear ${recipient.name},`,
    `The request to approve or reject the ${planTitle(summary)} (revision ${summary.revision}) at the ${stageName} stage${onBehalfOf ? `, as deputy for ${onBehalfOf.name},` : ''} has been withdrawn: revision ${newRevision} of the plan has been uploaded in its place.`,
    'You do not need to do anything about the earlier email: its links no longer work, and nothing was decided with them.',
    `If revision ${newRevision} needs your decision, you will receive a new email about it.`,
  ];
  const text = [...lines.flatMap((line) => [line, '']), 'The withdrawn revision', '', planFactsText(summary), '', SERVICE_NAME].join('\n');
  const body = html`${lines.map((line) => para(line))}${heading('The withdrawn revision')}${emailFactsHtml(summary)}`;
  return { subject, text, html: emailDocument(subject, body), category: 'approval-withdrawn' };
}
