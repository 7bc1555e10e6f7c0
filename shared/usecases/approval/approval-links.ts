import { type ApprovalAuditEntry, type ApprovalDecision, type DecisionEffect, evaluateStage, type LinkProblem, type PlanApprovalSummary, type Person, type RecordedDecision } from '../../domain/approval.ts';
import { hashClientIp, isCrossSiteRequest, parseLinkToken, type RequestSite, secretMatches } from '../../domain/approval-links.ts';
import type { ApprovalLink, ApprovalRun, StageDecision, StageRequest } from '../../ports/approval-store.ts';
import { type ApprovalDependencies, approvalSummaryOf } from './approval-context.ts';
import { continueLostRun, trySendStageOutcome } from './run-approval.ts';

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
  | ({ kind: 'recorded' } & RecordedDecision);

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

/** How often a decision reads the stage again when other decisions were written to it meanwhile. */
const DECISION_WRITE_ATTEMPTS = 30;

/**
 * POST: records the decision and, when it settles the stage, resumes the flow.
 *
 * The decision is written over the stage as it was read (its version), and settles the stage in
 * the same write when it decides it: of decisions made at the same moment exactly one settles the
 * stage, and the others, read again, find it settled and are recorded as not applied (the approver
 * is told which decision took effect). A cross-site form POST is refused before anything is read.
 */
export async function decideApprovalLink(
  deps: ApprovalDependencies,
  input: {
    token: string;
    decision: ApprovalDecision;
    comment: string | null;
    clientIp: string | null;
    userAgent: string | null;
    /** Where the form was posted from (headers); absent: not a browser's request. */
    site?: RequestSite;
  },
): Promise<DecideResult> {
  if (input.site && isCrossSiteRequest(input.site)) return { kind: 'problem', problem: 'cross_site' };
  const comment = input.comment?.trim() ? input.comment.trim() : null;
  const live = await resolveLink(deps, input.token, input.decision);
  if ('kind' in live) return live;
  if (input.decision === 'reject' && comment === null) return { kind: 'comment_required', ...live.view };

  const { link, run, view } = live;
  const stageDefinition = run.chain.stages[link.stageIndex];
  if (!stageDefinition) return { kind: 'problem', problem: 'not_found' };
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
  const decision: StageDecision = { approverIndex: link.approverIndex, decision: input.decision, comment, decidedBy: link.holder, decidedAt };
  const result = { kind: 'recorded' as const, decision: input.decision, summary: view.summary, stageName: view.stageName, decidedAt };
  const used: LinkProblemResult = { kind: 'problem', problem: 'used', detail: 'A decision for this approver was recorded already.' };

  let stage = live.stage;
  for (let attempt = 1; ; attempt++) {
    if (stage.decisions.some((recorded) => recorded.approverIndex === link.approverIndex)) return used;
    if (stage.settled !== null) {
      // Another decision settled the stage first: this one is kept, as not applied.
      const late = await deps.approvals.recordLateDecision(link, { ...decision, applied: false }, { ...audit, applied: false });
      if (!late.recorded && late.reason !== 'conflict') return used;
      if (late.recorded) {
        const first = late.stage.settledBy;
        return { ...result, effect: 'outcome_already_decided', ...(first ? { settledBy: { decision: first.decision, by: first.decidedBy } } : {}) };
      }
    } else {
      const outcome = evaluateStage(stageDefinition, [...stage.decisions, decision]);
      const settles = outcome === 'pending' ? null : outcome;
      const written = await deps.approvals.recordDecision(link, decision, audit, { expectedVersion: stage.version, settles });
      if (written.recorded) {
        const effect = await afterDecision(deps, run, written.stage, link.stageIndex, settles);
        if (effect !== 'ended') return { ...result, effect };
        await deps.approvals.markDecisionNotApplied(audit);
        return { kind: 'problem', problem: 'ended', detail: 'The approval had ended before your decision reached it; your decision is on record but changed nothing.' };
      }
      if (written.reason === 'already_decided') return used;
      if (written.reason === 'superseded') return (await resolveLink(deps, input.token)) as LinkProblemResult;
      if (written.reason === 'run_ended') {
        // The run ended after the link was read: by another approver's settling decision (then this
        // one is recorded as late, below), or otherwise (withdrawn, expired): nothing is recorded.
        const reread = await deps.approvals.getStage(link.planId, link.revision, link.attempt, link.stageIndex);
        if (reread?.settled) {
          stage = reread;
          continue;
        }
        const now = await resolveLink(deps, input.token);
        return 'kind' in now && now.kind === 'problem' ? now : { kind: 'problem', problem: 'ended' };
      }
    }
    if (attempt >= DECISION_WRITE_ATTEMPTS) throw new Error(`The decision on link ${link.linkId} could not be written after ${attempt} attempts`);
    // Another decision was written meanwhile (or held the stage): read the stage again, after a short, jittered pause.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    const reread = await deps.approvals.getStage(link.planId, link.revision, link.attempt, link.stageIndex);
    if (!reread) return { kind: 'problem', problem: 'not_found' };
    stage = reread;
  }
}

/**
 * What a recorded decision does next. One that settled the stage sends the outcome to the flow; when
 * the run's execution is gone (the local runner restarted, or it ended without recording the run),
 * the run is carried on in its next attempt from this stage, whose first round finds the stage
 * settled and goes on from there (or, when the decision left the stage waiting, reminds the others
 * with fresh links). The effect returned is what the flow will do.
 */
async function afterDecision(
  deps: ApprovalDependencies,
  run: ApprovalRun,
  stage: StageRequest,
  stageIndex: number,
  settles: 'approved' | 'rejected' | null,
): Promise<DecisionEffect | 'ended'> {
  const effect: DecisionEffect =
    settles === null ? 'waiting_for_others' : settles === 'rejected' ? 'changes_requested' : stageIndex + 1 >= run.chain.stages.length ? 'plan_approved' : 'stage_passed';
  if (settles === null) {
    const state = run.executionId ? await deps.workflow.executionState(run.executionId) : 'unknown';
    if (state !== 'running') await continueLostRun(deps, run, stageIndex);
    return effect;
  }
  const sent = await trySendStageOutcome(deps, run, stage, settles);
  if (sent === 'ended') return 'ended';
  if (sent === 'gone' && !(await continueLostRun(deps, run, stageIndex))) {
    // Not carried on: the run ended meanwhile (withdrawn, expired), unless another decision carried it.
    const latest = await deps.approvals.getLatestRun(run.planId, run.revision);
    if (latest?.continuedFrom !== run.attempt) return 'ended';
  }
  return effect;
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
  if (run.status === 'restarted') {
    return {
      kind: 'problem',
      problem: 'ended',
      detail: 'The approval was carried on in a new round after the service restarted. If your decision is still needed, you will receive a new email with a new link.',
    };
  }
  if (run.status !== 'in_progress') return { kind: 'problem', problem: 'ended', detail: `The approval of this revision has ended (${run.status.replace(/_/g, ' ')}).` };
  const decidedAlready = stage.decisions.some((decision) => decision.approverIndex === link.approverIndex);
  if (decidedAlready) return { kind: 'problem', problem: 'superseded', detail: 'A decision for this approver was recorded through another link.' };
  if (stage.settled !== null || run.currentStage !== link.stageIndex) {
    const first = stage.settledBy;
    return {
      kind: 'problem',
      problem: 'superseded',
      detail: first ? `Another approver already decided this stage: ${decisionText(first.decision)} by ${first.decidedBy.name}.` : 'This stage has been decided by another approver.',
    };
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

function decisionText(decision: ApprovalDecision): string {
  return decision === 'approve' ? 'approved' : 'rejected';
}
