import { describe, expect, it } from 'vitest';
import type { Person, PlanApprovalSummary } from '../../shared/domain/approval.ts';
import {
  type ApprovalRequestEmailInput,
  planFactsText,
  renderApprovalRequestEmail,
  renderPlanOutcomeEmail,
} from '../../shared/presentation/approval-emails.ts';
import { escapeHtml, formatDate, formatDateTimeUtc, html, page, trustedHtml } from '../../shared/presentation/html.ts';

const governor: Person = { name: 'Jane Smith', email: 'jane.smith@justice.gov.uk' };
const deputy: Person = { name: 'Sam Patel', email: 'sam.patel@justice.gov.uk' };
const director: Person = { name: 'Alex Brown', email: 'alex.brown@justice.gov.uk' };

const summary = (overrides: Partial<PlanApprovalSummary> = {}): PlanApprovalSummary => ({
  planId: 'plan-1',
  revision: 2,
  establishment: 'HMP Liverpool',
  source: 'uploads/plans/hmp-liverpool-2018.pdf',
  format: 'agreed-2018',
  reportPublished: '2018-03-12',
  itemCount: 72,
  actionCount: 80,
  decisions: { agreed: 60, partly_agreed: 8, not_agreed: 3, none: 1 },
  actionsWithoutOwner: 4,
  actionsWithoutTarget: 5,
  targetsPast: [
    { ref: '1.1', raw: 'March 2019', due: '2019-03-31' },
    { ref: '5.3', raw: 'Immediate and\nongoing', due: '2018-04-01' },
  ],
  ...overrides,
});

const request = (overrides: Partial<ApprovalRequestEmailInput> = {}): ApprovalRequestEmailInput => ({
  kind: 'request',
  recipient: governor,
  onBehalfOf: null,
  stageName: 'Governor',
  stageNumber: 1,
  stageCount: 2,
  summary: summary(),
  approveUrl: 'https://approvals.example.gov.uk/links/abc?d=approve&x=1',
  rejectUrl: 'https://approvals.example.gov.uk/links/abc?d=reject',
  expiresAt: '2026-11-30T14:05:09.000Z',
  ...overrides,
});

describe('html helpers', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes interpolated text but not nested fragments, and renders lists and nothing for null', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['a', '&']}${null}${undefined}${false}${3}</p>`.value).toBe('<p><b>&lt;i&gt;</b>a&amp;3</p>');
    expect(html`${trustedHtml('<hr>')}`.value).toBe('<hr>');
  });

  it('builds a whole English document with a viewport and the escaped title', () => {
    const built = page({ title: 'A & B', body: html`<p>hi</p>` });
    expect(built.status).toBe(200);
    expect(built.html).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
    expect(built.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(built.html).toContain('<title>A &amp; B – Inspection action plans</title>');
    expect(built.html).toContain('<style>');
    expect(built.html).not.toContain('<script');
    expect(page({ title: 't', body: html``, status: 410 }).status).toBe(410);
  });

  it('formats dates the British way, in UTC', () => {
    expect(formatDateTimeUtc('2026-11-30T14:05:59.999Z')).toBe('30 November 2026, 14:05 UTC');
    expect(formatDateTimeUtc('2026-01-02T00:00:00+01:00')).toBe('1 January 2026, 23:00 UTC');
    expect(formatDate('2018-03-12')).toBe('12 March 2018');
    expect(formatDate('soon')).toBe('soon');
  });
});

describe('the approval request', () => {
  it('has a subject naming the plan and the stage, and its category', () => {
    const email = renderApprovalRequestEmail(request());
    expect(email.subject).toBe('Approval needed: HMP Liverpool action plan (Governor)');
    expect(email.category).toBe('approval-request');
    expect(Object.keys(email).sort()).toEqual(['category', 'html', 'subject', 'text']);
  });

  it('says who is asked and why, and the plan facts with readable decision labels', () => {
    const { text, html: body } = renderApprovalRequestEmail(request());
    for (const content of [text, body]) {
      expect(content).toContain('Dear Jane Smith,');
      expect(content).toContain('at the Governor stage (stage 1 of 2)');
      expect(content).toContain('HMP Liverpool');
      expect(content).toContain('hmp-liverpool-2018.pdf');
      expect(content).not.toContain('uploads/plans/');
      expect(content).toContain('12 March 2018');
      expect(content).toContain('(revision 2)');
      expect(content).toContain('60 agreed, 8 partly agreed, 3 not agreed, 1 no decision');
      expect(content).toContain('30 November 2026, 14:05 UTC');
    }
    expect(text).toContain('Actions with no owner: 4');
    expect(text).toContain('Actions with no target: 5');
    expect(text).toContain('Targets already past: 2');
    expect(text).toContain('- 1.1: March 2019 (31 March 2019)');
    expect(text).toContain('- 5.3: Immediate and ongoing (1 April 2018)');
    expect(text).toContain('Opening a link does not decide anything: a confirmation page follows');
    expect(body).toContain('Opening a link does not decide anything: a confirmation page follows');
  });

  it('gives both links, each as a button and as plain text', () => {
    const { text, html: body } = renderApprovalRequestEmail(request());
    expect(text).toContain('To approve the plan, open:\nhttps://approvals.example.gov.uk/links/abc?d=approve&x=1\n');
    expect(text).toContain('https://approvals.example.gov.uk/links/abc?d=reject');
    const hrefs = [...body.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    expect(hrefs).toEqual([
      'https://approvals.example.gov.uk/links/abc?d=approve&amp;x=1',
      'https://approvals.example.gov.uk/links/abc?d=reject',
      'https://approvals.example.gov.uk/links/abc?d=approve&amp;x=1',
      'https://approvals.example.gov.uk/links/abc?d=reject',
    ]);
    expect(body).toContain('>Approve the plan</a>');
    expect(body).toContain('>Reject the plan</a>');
    expect(body).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
  });

  it('lists ten past targets, then says how many more', () => {
    const targetsPast = Array.from({ length: 13 }, (_, i) => ({ ref: `${i + 1}.1`, raw: `Target ${i + 1}`, due: '2019-01-31' }));
    const { text, html: body } = renderApprovalRequestEmail(request({ summary: summary({ targetsPast }) }));
    expect(text).toContain('- 10.1: Target 10 (31 January 2019)\n- and 3 more');
    expect(text).not.toContain('11.1');
    expect(body).toContain('<li>10.1: Target 10 (31 January 2019)</li>\n<li>and 3 more</li>');
    expect(body).not.toContain('Target 11');
    expect(planFactsText(summary({ targetsPast: targetsPast.slice(0, 10) }))).not.toContain('more');
  });

  it('says nothing about past targets when there are none, and names a plan with no establishment by its file', () => {
    const email = renderApprovalRequestEmail(
      request({ summary: summary({ targetsPast: [], establishment: null, reportPublished: null, decisions: {} }) }),
    );
    expect(email.subject).toBe('Approval needed: Action plan hmp-liverpool-2018.pdf (Governor)');
    expect(email.text).toContain('Targets already past: 0');
    expect(email.text).not.toContain('by item');
    expect(email.text).toContain('Decisions: None');
    expect(email.text).toContain('Report published: Not found in the plan');
  });

  it('shows the 2015 decision labels', () => {
    const { text } = renderApprovalRequestEmail(
      request({ summary: summary({ decisions: { accepted: 30, accepted_subject_to_resources: 2, rejected: 1 } }) }),
    );
    expect(text).toContain('Decisions: 30 accepted, 2 accepted subject to resources, 1 rejected');
  });

  it('escapes text read from the PDF', () => {
    const hostile = summary({
      establishment: 'HMP <script>alert(1)</script>',
      targetsPast: [{ ref: '1"><img src=x>', raw: "<b>May</b> & 'June'", due: '2019-05-01' }],
    });
    const { html: body, text } = renderApprovalRequestEmail(request({ summary: hostile }));
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<img');
    expect(body).not.toContain('<b>May');
    expect(body).toContain('HMP &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('&lt;b&gt;May&lt;/b&gt; &amp; &#39;June&#39;');
    expect(text).toContain('HMP <script>alert(1)</script>');
  });

  it('reminds', () => {
    const email = renderApprovalRequestEmail(request({ kind: 'reminder' }));
    expect(email.subject).toBe('Reminder: approval needed: HMP Liverpool action plan (Governor)');
    expect(email.category).toBe('approval-reminder');
    expect(email.text).toContain('This is a reminder: you have not yet approved or rejected');
  });

  it('escalates to a deputy, naming the approver stood in for', () => {
    const email = renderApprovalRequestEmail(
      request({ kind: 'escalation', recipient: deputy, onBehalfOf: governor, stageName: 'Prison Group Director', stageNumber: 2 }),
    );
    expect(email.subject).toBe('Approval needed (deputy for Jane Smith): HMP Liverpool action plan (Prison Group Director)');
    expect(email.category).toBe('approval-escalation');
    expect(email.text).toContain('Dear Sam Patel,');
    expect(email.text).toContain('as deputy for Jane Smith, who has not yet responded');
    expect(email.text).toContain('(stage 2 of 2)');
  });

  it('keeps the subject on one line', () => {
    const email = renderApprovalRequestEmail(request({ summary: summary({ establishment: 'HMP\nLiverpool' }) }));
    expect(email.subject).toBe('Approval needed: HMP Liverpool action plan (Governor)');
  });
});

describe('the outcome email', () => {
  const rejection = {
    by: director,
    onBehalfOf: null,
    comment: 'Targets for 1.1 and 5.3 are in the past.\nPlease give new dates.',
    decidedAt: '2026-11-24T09:30:00.000Z',
  };

  it('tells the owners the plan is approved', () => {
    const email = renderPlanOutcomeEmail({ outcome: 'approved', summary: summary(), stageName: null, comments: [] });
    expect(email.subject).toBe('Approved: HMP Liverpool action plan');
    expect(email.category).toBe('plan-approved');
    expect(email.text).toContain('HMP Liverpool action plan (revision 2) has been approved at every stage');
    expect(email.text).not.toContain('Comment');
  });

  it('shows every comment with who, when and the stage, and says how the flow resumes', () => {
    const email = renderPlanOutcomeEmail({
      outcome: 'changes_requested',
      summary: summary(),
      stageName: 'Prison Group Director',
      comments: [rejection, { by: deputy, onBehalfOf: governor, comment: 'Owners missing for 4 actions.', decidedAt: '2026-11-24T10:00:00Z' }],
    });
    expect(email.subject).toBe('Changes requested: HMP Liverpool action plan');
    expect(email.category).toBe('plan-changes-requested');
    expect(email.text).toContain(
      'Alex Brown (alex.brown@justice.gov.uk), 24 November 2026, 09:30 UTC, Prison Group Director stage:\nTargets for 1.1 and 5.3 are in the past.\nPlease give new dates.',
    );
    expect(email.text).toContain('Sam Patel (sam.patel@justice.gov.uk), deputy for Jane Smith, 24 November 2026, 10:00 UTC');
    expect(email.text).toContain('upload the corrected plan. It is read as a new revision');
    expect(email.html).toContain('Targets for 1.1 and 5.3 are in the past.\nPlease give new dates.</blockquote>');
    expect(email.html).toContain('<h2 style="font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;font-size:20px;margin:25px 0 10px;">Comments</h2>');
  });

  it('escapes the comments', () => {
    const email = renderPlanOutcomeEmail({
      outcome: 'changes_requested',
      summary: summary(),
      stageName: 'Governor',
      comments: [{ ...rejection, comment: '<script>steal()</script> & "more"' }],
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;steal()&lt;/script&gt; &amp; &quot;more&quot;');
  });

  it('says when the approval ran out of time', () => {
    const email = renderPlanOutcomeEmail({ outcome: 'expired', summary: summary(), stageName: 'Governor', comments: [] });
    expect(email.subject).toBe('Approval expired: HMP Liverpool action plan');
    expect(email.category).toBe('plan-approval-expired');
    expect(email.text).toContain('no decision was made at the Governor stage before the approval ran out of time');
  });
});
