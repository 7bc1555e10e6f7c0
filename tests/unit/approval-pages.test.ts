import { describe, expect, it } from 'vitest';
import type { PlanApprovalSummary } from '../../shared/domain/approval.ts';
import {
  type ConfirmationPageInput,
  type DecisionEffect,
  type LinkProblem,
  renderConfirmationPage,
  renderDecisionRecordedPage,
  renderErrorPage,
  renderLinkProblemPage,
} from '../../shared/presentation/approval-pages.ts';

const summary = (overrides: Partial<PlanApprovalSummary> = {}): PlanApprovalSummary => ({
  planId: 'plan-1',
  revision: 3,
  establishment: 'HMP Long Lartin',
  source: 'hmp-long-lartin-2023.pdf',
  format: 'concerns-2023',
  reportPublished: '2023-06-20',
  itemCount: 20,
  actionCount: 41,
  decisions: { none: 20 },
  actionsWithoutOwner: 0,
  actionsWithoutTarget: 2,
  targetsPast: Array.from({ length: 12 }, (_, i) => ({ ref: `${i + 1}`, raw: `Q${(i % 4) + 1} 2024`, due: '2024-03-31' })),
  ...overrides,
});

const confirmation = (overrides: Partial<ConfirmationPageInput> = {}): ConfirmationPageInput => ({
  summary: summary(),
  stageName: 'Governor',
  approver: { name: 'Jane Smith', email: 'jane.smith@justice.gov.uk' },
  onBehalfOf: null,
  expiresAt: '2026-11-30T14:05:00Z',
  formAction: 'https://approvals.example.gov.uk/links/abc.def?x=1&y=2',
  preselected: null,
  ...overrides,
});

const buttonOrder = (html: string): string[] => [...html.matchAll(/<button[^>]*value="(approve|reject)"/g)].map((m) => m[1]!);
const buttonClass = (html: string, value: string): string | undefined =>
  new RegExp(`<button[^>]*value="${value}" class="([^"]*)"`).exec(html)?.[1];

describe('the confirmation page', () => {
  it('is a form that POSTs back to the link, with a comment and both decision buttons', () => {
    const { status, html } = renderConfirmationPage(confirmation());
    expect(status).toBe(200);
    expect(html).toContain('<form method="post" action="https://approvals.example.gov.uk/links/abc.def?x=1&amp;y=2">');
    expect(html).toContain('<label for="comment">Comment</label>');
    expect(html).toMatch(/<textarea id="comment" name="comment"[^>]*><\/textarea>/);
    expect(html).toContain('A comment is required to reject the plan');
    expect(html).toContain('It is optional to approve');
    expect(html).toContain('<button type="submit" name="decision" value="approve"');
    expect(html).toContain('<button type="submit" name="decision" value="reject"');
    expect(html).not.toContain('<script');
    expect(html).toContain('<html lang="en-GB">');
  });

  it('shows who decides, the plan facts and when the link expires', () => {
    const { html } = renderConfirmationPage(confirmation({ onBehalfOf: { name: 'Alex Brown', email: 'alex@justice.gov.uk' } }));
    expect(html).toContain('HMP Long Lartin action plan (revision 3) at the Governor stage');
    expect(html).toContain('Jane Smith (jane.smith@justice.gov.uk), deputy for Alex Brown (alex@justice.gov.uk)');
    expect(html).toContain('<dt>Decisions</dt><dd>20 no decision</dd>');
    expect(html).toContain('<dt>Actions with no owner</dt><dd>0</dd>');
    expect(html).toContain('<dt>Actions with no target</dt><dd>2</dd>');
    expect(html).toContain('<dt>Report published</dt><dd>20 June 2023</dd>');
    expect(html).toContain('<li>10: Q2 2024 (31 March 2024)</li>\n<li>and 2 more</li>');
    expect(html).not.toContain('<li>11:');
    expect(html).toContain('This link expires on 30 November 2026, 14:05 UTC.');
    expect(html).toContain('Nothing has been decided yet');
  });

  it('puts the preselected decision first and emphasises it', () => {
    const rejecting = renderConfirmationPage(confirmation({ preselected: 'reject' })).html;
    expect(buttonOrder(rejecting)).toEqual(['reject', 'approve']);
    expect(buttonClass(rejecting, 'reject')).toBe('button warning');
    expect(buttonClass(rejecting, 'approve')).toBe('button secondary');
    expect(rejecting).toContain('<h1>Confirm your rejection</h1>');

    const approving = renderConfirmationPage(confirmation({ preselected: 'approve' })).html;
    expect(buttonOrder(approving)).toEqual(['approve', 'reject']);
    expect(buttonClass(approving, 'approve')).toBe('button');
    expect(buttonClass(approving, 'reject')).toBe('button secondary');
    expect(approving).toContain('<h1>Confirm your approval</h1>');

    expect(buttonOrder(renderConfirmationPage(confirmation()).html)).toEqual(['approve', 'reject']);
  });

  it('shows a refused POST again with an error summary, the comment echoed back, and status 400', () => {
    const { status, html } = renderConfirmationPage(
      confirmation({ preselected: 'reject', problem: 'A rejection needs a comment', comment: 'Dates <b>wrong</b> & "late"' }),
    );
    expect(status).toBe(400);
    expect(html).toContain('<title>Error: Confirm your rejection – Inspection action plans</title>');
    expect(html).toContain('<h2 id="error-summary-title">There is a problem</h2>');
    expect(html).toContain('<a href="#comment">A rejection needs a comment</a>');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('>Dates &lt;b&gt;wrong&lt;/b&gt; &amp; &quot;late&quot;</textarea>');
    expect(html).not.toContain('<b>wrong');
  });

  it('escapes plan text from the PDF and the approver’s name', () => {
    const { html } = renderConfirmationPage(
      confirmation({
        summary: summary({ establishment: '<script>alert("x")</script>', targetsPast: [{ ref: '1', raw: '<img src=x onerror=y>', due: '2024-01-01' }] }),
        approver: { name: "O'Brien <i>", email: 'o@justice.gov.uk' },
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('O&#39;Brien &lt;i&gt;');
  });
});

describe('the decision recorded page', () => {
  const effects: [DecisionEffect, 'approve' | 'reject', string, string][] = [
    ['stage_passed', 'approve', 'Your approval has been recorded', 'The Governor stage is complete'],
    ['waiting_for_others', 'approve', 'Your approval has been recorded', 'when every one of its approvers has approved'],
    ['changes_requested', 'reject', 'Your rejection has been recorded', 'sent back to its owners with your comment'],
    ['plan_approved', 'approve', 'Your approval has been recorded', 'the plan is now approved'],
    ['already_recorded', 'approve', 'Your decision was already recorded', 'nothing was changed'],
  ];

  it.each(effects)('%s: says what was recorded and what happens next', (effect, decision, title, next) => {
    const { status, html } = renderDecisionRecordedPage({
      decision,
      summary: summary(),
      stageName: 'Governor',
      decidedAt: '2026-11-24T09:30:00Z',
      effect,
    });
    expect(status).toBe(200);
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(html).toContain(next);
    expect(html).toContain(`You ${decision === 'approve' ? 'approved' : 'rejected'} the HMP Long Lartin action plan (revision 3)`);
    expect(html).toContain('24 November 2026, 09:30 UTC');
  });
});

describe('link problems', () => {
  const cases: [LinkProblem, number, string][] = [
    ['not_found', 404, 'could not find this approval link'],
    ['forged', 403, 'cannot be used'],
    ['used', 410, 'This link has already been used to record a decision'],
    ['expired', 410, 'This link has expired'],
    ['superseded', 410, 'A newer revision of the plan was uploaded, or this stage was decided by another approver'],
    ['ended', 410, 'The approval had already ended (it timed out or was stopped)'],
  ];

  it.each(cases)('%s → %i', (problem, status, wording) => {
    const page = renderLinkProblemPage({ problem });
    expect(page.status).toBe(status);
    expect(page.html).toContain(wording);
    expect(page.html).not.toContain('<form');
  });

  it('says nothing was changed when a decision arrives too late', () => {
    for (const problem of ['superseded', 'ended', 'expired', 'forged'] as const) {
      expect(renderLinkProblemPage({ problem }).html).toContain('Nothing was changed.');
    }
  });

  it('shows an escaped detail', () => {
    const { html } = renderLinkProblemPage({ problem: 'used', detail: 'Approved on 24 November <2026>' });
    expect(html).toContain('<p>Approved on 24 November &lt;2026&gt;</p>');
  });
});

describe('the error page', () => {
  it('is a 500 with no internals', () => {
    const { status, html } = renderErrorPage();
    expect(status).toBe(500);
    expect(html).toContain('Sorry, there is a problem with the service');
    expect(html).not.toMatch(/stack|Error:|exception/i);
  });
});
