import { type ApprovalAuditEntry, type ApprovalDecision, type DecisionEffect, evaluateStage, type LinkProblem, type PlanApprovalSummary, type Person } from '../../domain/approval.ts';
import { hashClientIp, parseLinkToken, secretMatches } from '../../domain/approval-links.ts';
import type { ApprovalLink, ApprovalRun, StageRequest } from '../../ports/approval-store.ts';
import { type ApprovalDependencies, approvalSummaryOf } from './approval-context.ts';
import { trySendStageOutcome } from './run-approval.ts';

/**
 * What an emailed link does. Opening it (GET) never decides anything, because mail scanners open
 * links: it shows what would be decided. Only the confirmation form's POST decides.
 */


export interface LinkProblemResult {
  kind: 'problem';
  problem: LinkProblem;
  detail?: string;
}

export interface LinkView {
  summary: PlanApprovalSummary;
  stageName: string;
  stageNumber: number;
  stageCount: number;
  approver: Person;
  onBehalfOf: Person | null;
  expiresAt: string;
}

export type OpenLinkResult = LinkProblemResult | ({ kind: 'confirm' } & LinkView);


export type DecideResult =
  | LinkProblemResult
  | ({ kind: 'comment_required' } & LinkView)
  | { kind: 'recorded'; decision: ApprovalDecision; summary: PlanApprovalSummary; stageName: string; decidedAt: string; effect: DecisionEffect };

interface LiveLink {
  link: ApprovalLink;
  run: ApprovalRun;
  stage: StageRequest;
  view: LinkView;
}

/** GET: the confirmation page's content, or why the link no longer works. Changes nothing. */
export async function openApprovalLink(deps: ApprovalDependencies, token: string): Promise<OpenLinkResult> {
  const live = await resolveLink(deps, token);
  if (!('kind' in live)) return { kind: 'confirm', ...live.view };
  return live.kind === 'problem' ? live : { kind: 'problem', problem: 'used' };
}

/** POST: records the decision and, when it settles the stage, resumes the flow. */
export async function decideApprovalLink(
  deps: ApprovalDependencies,
  input: { token: string; decision: ApprovalDecision; comment: string | null; clientIp: string | null; userAgent: string | null },
): Promise<DecideResult> {
  const comment = input.comment?.trim() ? input.comment.trim() : null;
  const live = await resolveLink(deps, input.token, input.decision);
  if ('kind' in live) return live;
  if (input.decision === 'reject' && comment === null) return { kind: 'comment_required', ...live.view };

  const { link, run, view } = live;
  const decidedAt = deps.clock.now().toISOString();
  const audit: ApprovalAuditEntry = {
    planId: link.planId,
    revision: link.revision,
    stageIndex: link.stageIndex,
    stageName: view.stageName,
    decision: input.decision,
    comment,
    decidedBy: link.holder,
    onBehalfOf: link.onBehalfOf,
    decidedAt,
    linkId: link.linkId,
    clientIpHash: hashClientIp(input.clientIp, deps.ipHashKey),
    userAgent: input.userAgent?.slice(0, 512) ?? null,
    applied: true,
  };
  const recorded = await deps.approvals.recordDecision(
    link,
    { approverIndex: link.approverIndex, decision: input.decision, comment, decidedBy: link.holder, decidedAt },
    audit,
  );
  if (!recorded.recorded) return { kind: 'problem', problem: 'used', detail: 'A decision for this approver was recorded already.' };

  const stageDefinition = run.chain.stages[link.stageIndex];
  const outcome = recorded.stage.settled ?? (stageDefinition ? evaluateStage(stageDefinition, recorded.stage.decisions) : 'pending');
  const result = { kind: 'recorded' as const, decision: input.decision, summary: view.summary, stageName: view.stageName, decidedAt };
  if (outcome === 'pending') return { ...result, effect: 'waiting_for_others' };

  const sent = await trySendStageOutcome(deps, run, recorded.stage, outcome);
  if (sent === 'ended') {
    await deps.approvals.markDecisionNotApplied(audit);
    return { kind: 'problem', problem: 'ended', detail: 'The approval had ended before your decision reached it; your decision is on record but changed nothing.' };
  }
  if (outcome === 'rejected') return { ...result, effect: 'changes_requested' };
  return { ...result, effect: link.stageIndex + 1 >= run.chain.stages.length ? 'plan_approved' : 'stage_passed' };
}

/**
 * The link behind a token, checked in this order: it exists (404), its secret matches (403), it is
 * unused (410, unless the same decision is submitted again: a double submit shows the outcome
 * again), it has not expired, its revision is still the plan's current one, its run is still in
 * progress and its stage still undecided (410).
 */
async function resolveLink(
  deps: ApprovalDependencies,
  token: string,
  submitted?: ApprovalDecision,
): Promise<LiveLink | LinkProblemResult | Extract<DecideResult, { kind: 'recorded' }>> {
  const parts = parseLinkToken(token);
  if (!parts) return { kind: 'problem', problem: 'not_found' };
  const link = await deps.approvals.getLink(parts.linkId);
  if (!link) return { kind: 'problem', problem: 'not_found' };
  if (!secretMatches(parts.secret, link.secretSha256)) return { kind: 'problem', problem: 'forged' };

  const [run, plan, stage] = await Promise.all([
    deps.approvals.getRun(link.planId, link.revision, link.attempt),
    deps.plans.getPlan(link.planId),
    deps.approvals.getStage(link.planId, link.revision, link.attempt, link.stageIndex),
  ]);
  if (!run || !plan || !stage) return { kind: 'problem', problem: 'not_found' };
  const stageDefinition = run.chain.stages[link.stageIndex];
  if (!stageDefinition) return { kind: 'problem', problem: 'not_found' };

  if (link.usedAt !== null) {
    const usedFor = stage.decisions.find((decision) => decision.approverIndex === link.approverIndex && decision.decidedAt === link.usedAt);
    if (submitted && usedFor?.decision === submitted) {
      const summary = await approvalSummaryOf(deps, plan, link.revision);
      return { kind: 'recorded', decision: submitted, summary, stageName: stageDefinition.name, decidedAt: link.usedAt, effect: 'already_recorded' };
    }
    return { kind: 'problem', problem: 'used', detail: `It was used on ${link.usedAt}.` };
  }
  if (deps.clock.now().toISOString() >= link.expiresAt) return { kind: 'problem', problem: 'expired', detail: `It expired on ${link.expiresAt}.` };
  if (plan.currentRevision !== link.revision) {
    return { kind: 'problem', problem: 'superseded', detail: `Revision ${plan.currentRevision} of the plan has been uploaded since this link was sent.` };
  }
  if (run.status !== 'in_progress') return { kind: 'problem', problem: 'ended', detail: `The approval of this revision has ended (${run.status.replace(/_/g, ' ')}).` };
  const decidedAlready = stage.decisions.some((decision) => decision.approverIndex === link.approverIndex);
  if (stage.settled !== null || run.currentStage !== link.stageIndex || decidedAlready) {
    return { kind: 'problem', problem: 'superseded', detail: decidedAlready ? 'A decision for this approver was recorded through another link.' : 'This stage has been decided by another approver.' };
  }

  const summary = await approvalSummaryOf(deps, plan, link.revision);
  return {
    link,
    run,
    stage,
    view: {
      summary,
      stageName: stageDefinition.name,
      stageNumber: link.stageIndex + 1,
      stageCount: run.chain.stages.length,
      approver: link.holder,
      onBehalfOf: link.onBehalfOf,
      expiresAt: link.expiresAt,
    },
  };
}
