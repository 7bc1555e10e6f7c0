import { describe, expect, it } from 'vitest';
import { hashClientIp, issueLinkToken, parseLinkToken, secretMatches, sha256Hex } from '../../shared/domain/approval-links.ts';
import { type ApprovalStage, evaluateStage, itemsAwaitingResponse, summarisePlanForApproval } from '../../shared/domain/approval.ts';
import type { PlanItem } from '../../shared/domain/plan.ts';

const stage = (rule: 'any' | 'all', approvers = 2): ApprovalStage => ({
  name: 'Governor',
  rule,
  approvers: Array.from({ length: approvers }, (_, index) => ({ name: `A${index}`, email: `a${index}@example.gov.uk` })),
});

describe('evaluateStage', () => {
  it('passes an "any" stage on one approval and waits with none', () => {
    expect(evaluateStage(stage('any'), [])).toBe('pending');
    expect(evaluateStage(stage('any'), [{ approverIndex: 1, decision: 'approve' }])).toBe('approved');
  });
  it('passes an "all" stage only once every approver approved', () => {
    expect(evaluateStage(stage('all'), [{ approverIndex: 0, decision: 'approve' }])).toBe('pending');
    expect(evaluateStage(stage('all'), [{ approverIndex: 0, decision: 'approve' }, { approverIndex: 0, decision: 'approve' }])).toBe('pending');
    expect(evaluateStage(stage('all'), [{ approverIndex: 1, decision: 'approve' }, { approverIndex: 0, decision: 'approve' }])).toBe('approved');
  });
  it('rejects on any rejection, whatever the rule', () => {
    expect(evaluateStage(stage('any'), [{ approverIndex: 0, decision: 'approve' }, { approverIndex: 1, decision: 'reject' }])).toBe('rejected');
    expect(evaluateStage(stage('all'), [{ approverIndex: 1, decision: 'reject' }])).toBe('rejected');
  });
});

describe('approval link tokens', () => {
  it('carry 128 bits of id and 256 of secret, and keep only the secret\'s hash', () => {
    const issued = issueLinkToken();
    expect(issued.token).toBe(`${issued.linkId}.${issued.secret}`);
    expect(Buffer.from(issued.linkId, 'base64url')).toHaveLength(16);
    expect(Buffer.from(issued.secret, 'base64url')).toHaveLength(32);
    expect(issued.secretSha256).toBe(sha256Hex(issued.secret));
    expect(issued.secretSha256).not.toContain(issued.secret);
    expect(parseLinkToken(issued.token)).toEqual({ linkId: issued.linkId, secret: issued.secret });
    expect(secretMatches(issued.secret, issued.secretSha256)).toBe(true);
  });
  it('differ every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => issueLinkToken().token));
    expect(tokens.size).toBe(1000);
  });
  it('refuse anything else', () => {
    const { secret, secretSha256, linkId } = issueLinkToken();
    expect(secretMatches(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, secretSha256)).toBe(false);
    expect(secretMatches(secret, 'not-hex')).toBe(false);
    for (const bad of ['', linkId, `${linkId}.`, `${linkId}.${secret}.x`, `${linkId}!.${secret}`, `../${linkId}.${secret}`]) {
      expect(parseLinkToken(bad)).toBeNull();
    }
  });
  it('hash client addresses with a key, so the address is not kept', () => {
    const hashed = hashClientIp('198.51.100.7', 'key-one-0123456789');
    expect(hashed).toMatch(/^[0-9a-f]{64}$/);
    expect(hashed).not.toBe(hashClientIp('198.51.100.7', 'key-two-0123456789'));
    expect(hashClientIp(null, 'key')).toBeNull();
  });
});

const item = (ref: string, decision: PlanItem['decision'], actions: PlanItem['actions']): PlanItem => ({
  ref,
  kind: 'recommendation',
  addressee: null,
  section: null,
  text: `Recommendation ${ref}`,
  decision,
  actions,
});

describe('plan readiness and summary', () => {
  const items = [
    item('1.1', 'agreed', [{ text: 'Do it', owners: ['Governor'], targets: [{ raw: 'March 2020', due: '2020-03-31' }] }]),
    item('1.2', null, [{ text: 'Later', owners: [], targets: [] }]),
    item('1.3', 'not_agreed', []),
  ];
  it('lists items without a response: a decision, or for 2023+ concerns an action', () => {
    expect(itemsAwaitingResponse('agreed-2018', items)).toEqual(['1.2']);
    expect(itemsAwaitingResponse('concerns-2023', items)).toEqual(['1.3']);
    expect(itemsAwaitingResponse(null, items)).toEqual(['1.1', '1.2', '1.3']);
  });
  it('counts decisions, actions without owner or target, and targets already past', () => {
    const summary = summarisePlanForApproval(
      { planId: 'p', revision: 2, establishment: 'HMP X', source: 'x.pdf', format: 'agreed-2018', reportPublished: null },
      items,
      '2026-11-23',
    );
    expect(summary).toMatchObject({
      itemCount: 3,
      actionCount: 2,
      decisions: { agreed: 1, none: 1, not_agreed: 1 },
      actionsWithoutOwner: 1,
      actionsWithoutTarget: 1,
      targetsPast: [{ ref: '1.1', raw: 'March 2020', due: '2020-03-31' }],
    });
  });
});
