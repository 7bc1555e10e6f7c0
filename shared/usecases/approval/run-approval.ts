import { ApprovalExpiredError, evaluateStage, itemsAwaitingResponse, type Person } from '../../domain/approval.ts';
import { issueLinkToken } from '../../domain/approval-links.ts';
import { ConflictError, NotFoundError, RequestError, UnprocessableError } from '../../domain/request-errors.ts';
import type { ApprovalLink, ApprovalRun, StageRequest } from '../../ports/approval-store.ts';
import { ExecutionNameTakenError, TaskTokenRefusedError } from '../../ports/approval-workflow.ts';
import { renderApprovalRequestEmail, renderPlanOutcomeEmail } from '../../presentation/approval-emails.ts';
import { type ApprovalDependencies, addSeconds, approvalSummaryOf, chainFor, linkUrls } from './approval-context.ts';

/**
 * The steps of the approval state machine (infra/constructs/approval.ts), one use-case per task
 * state, and the request that starts it. The state machine holds the order and the timers; these
 * steps hold the records, the links and the emails.
 */

/** Sends a parsed plan's current revision for approval (staff, or a new revision after changes were requested). */
export async function submitForApproval(
  deps: Pick<ApprovalDependencies, 'plans' | 'approvals' | 'workflow' | 'defaultChain' | 'clock'>,
  planId: string,
): Promise<{ planId: string; revision: number; executionId: string; alreadyStarted: boolean }> {
  const plan = await deps.plans.getPlan(planId);
  if (!plan) throw new NotFoundError(`There is no plan ${planId}`);
  const revision = plan.currentRevision;
  if (plan.status === 'awaiting_response') {
    throw new UnprocessableError(`Plan ${planId} is a draft started from the inspection report: its response must be uploaded or entered first`);
  }
  if (plan.status === 'approved') throw new ConflictError(`Revision ${revision} of plan ${planId} is approved already`);
  const waiting = itemsAwaitingResponse(plan.format, await deps.plans.listItems(planId, revision));
  if (waiting.length > 0) {
    throw new UnprocessableError(`${waiting.length} item(s) of plan ${planId} have no response yet`, waiting.map((ref) => ({ pointer: `items.${ref}`, message: `Item ${ref} has no response` })));
  }
  if (!(await chainFor(deps, plan.establishmentId))) {
    throw new UnprocessableError(`No approval chain is set for ${plan.establishmentId ?? 'this plan'}, and the deployment has no default: set the approvers first`);
  }
  const latest = await deps.approvals.getLatestRun(planId, revision);
  if (latest?.status === 'in_progress') {
    const state = latest.executionId ? await deps.workflow.executionState(latest.executionId) : 'unknown';
    if (state === 'running') return { planId, revision, executionId: latest.executionId ?? '', alreadyStarted: true };
    // Its execution is gone without finishing the run (it failed before recording it, or the local
    // runner restarted): the run is closed as failed, and a new one starts.
    await deps.approvals.finishRun(planId, revision, latest.attempt, 'failed', 'parsed', deps.clock.now().toISOString());
  }
  if (latest?.status === 'changes_requested') {
    throw new ConflictError(`Changes were requested to revision ${revision} of plan ${planId}: upload the corrected plan as a new revision`);
  }
  // An attempt whose execution ended before it recorded its run (its first step failed) has used its
  // name: the next number is taken.
  for (let attempt = (latest?.attempt ?? 0) + 1; ; attempt++) {
    try {
      const started = await deps.workflow.start({ planId, revision, attempt });
      return { planId, revision, ...started };
    } catch (error) {
      if (!(error instanceof ExecutionNameTakenError) || attempt >= (latest?.attempt ?? 0) + 5) throw error;
    }
  }
}

/** Starts a new revision's approval by itself when its previous revision was sent back with changes requested. */
export async function resumeApprovalAfterChanges(
  deps: Pick<ApprovalDependencies, 'plans' | 'approvals' | 'workflow' | 'defaultChain' | 'clock'>,
  planId: string,
  previousRevision: number,
): Promise<{ resumed: boolean; reason?: string }> {
  const previousRun = await deps.approvals.getLatestRun(planId, previousRevision);
  if (previousRun?.status !== 'changes_requested') return { resumed: false, reason: 'the previous revision was not sent back' };
  try {
    await submitForApproval(deps, planId);
    return { resumed: true };
  } catch (error) {
    if (error instanceof RequestError) return { resumed: false, reason: error.message };
    throw error;
  }
}

export interface RunRef {
  planId: string;
  revision: number;
  attempt: number;
}

/** First state: records the run with the chain as it is now, and marks the plan awaiting approval. */
export async function beginApprovalRun(
  deps: ApprovalDependencies,
  input: RunRef & { executionId: string },
): Promise<{ stageCount: number }> {
  const plan = await deps.plans.getPlan(input.planId);
  if (!plan) throw new NotFoundError(`There is no plan ${input.planId}`);
  const chain = await chainFor(deps, plan.establishmentId);
  if (!chain) throw new UnprocessableError(`No approval chain is set for ${plan.establishmentId ?? input.planId}`);
  const run: ApprovalRun = {
    ...input,
    chain,
    status: 'in_progress',
    currentStage: 0,
    startedAt: deps.clock.now().toISOString(),
    finishedAt: null,
  };
  const created = await deps.approvals.createRun(run);
  const stored = created ? run : await deps.approvals.getRun(input.planId, input.revision, input.attempt);
  if (!stored) throw new Error(`Approval run ${input.attempt} of ${input.planId} revision ${input.revision} is missing`);
  if (!created && stored.executionId !== input.executionId) await deps.approvals.setExecution(input.planId, input.revision, input.attempt, input.executionId);
  return { stageCount: stored.chain.stages.length };
}

/**
 * The wait state of a stage (`.waitForTaskToken`): on its first round, asks every approver of the
 * stage with a link each; on later rounds (the wait's heartbeat ran out) reminds those who have not
 * decided and, past the escalation time, asks their deputies too. A stage decided while no wait was
 * open (a decision can arrive as one round ends) is resumed at once. Past the links' expiry, fails
 * with `ApprovalExpired`.
 */
export async function requestStageDecision(
  deps: ApprovalDependencies,
  input: RunRef & { stageIndex: number; round: number; taskToken: string },
): Promise<{ emailsSent: number; resumedAtOnce: boolean }> {
  const run = await requireRun(deps, input);
  const stageDefinition = run.chain.stages[input.stageIndex];
  if (!stageDefinition) throw new Error(`Approval run of ${input.planId} has no stage ${input.stageIndex}`);
  const now = deps.clock.now().toISOString();
  const previous = await deps.approvals.getStage(input.planId, input.revision, input.attempt, input.stageIndex);
  const requestedAt = previous?.requestedAt ?? now;
  const expiresAt = previous?.expiresAt ?? addSeconds(now, deps.timing.linkValidSeconds);

  // The new token is stored before the decisions are read; a decision stores itself before it reads
  // the token. So a decision made while the token changes is seen by one side or the other.
  const firstRound = previous === null;
  const pendingApprovers = firstRound ? stageDefinition.approvers.map((_, index) => index) : [];
  const links = firstRound ? pendingApprovers.map((index) => newLink(run, input.stageIndex, index, expiresAt, now, false)) : [];
  const stage = await deps.approvals.openStageRound(
    { planId: input.planId, revision: input.revision, attempt: input.attempt, stageIndex: input.stageIndex, taskToken: input.taskToken, round: input.round, requestedAt, expiresAt, deputiesAsked: previous?.deputiesAsked ?? false },
    links.map((link) => link.record),
  );

  const outcome = stage.settled ?? evaluateStage(stageDefinition, stage.decisions);
  if (outcome !== 'pending') {
    await sendStageOutcome(deps, run, stage, outcome);
    return { emailsSent: 0, resumedAtOnce: true };
  }
  if (now >= expiresAt) {
    throw new ApprovalExpiredError(`Stage ${input.stageIndex + 1} (${stageDefinition.name}) of plan ${input.planId} was not decided before its links expired at ${expiresAt}`);
  }

  const summary = await approvalSummaryOf(deps, await requirePlan(deps, input.planId), input.revision);
  const send = async (link: IssuedLink, kind: 'request' | 'reminder' | 'escalation') => {
    const urls = linkUrls(deps.linkBaseUrl, link.token);
    const message = renderApprovalRequestEmail({
      kind,
      recipient: link.record.holder,
      onBehalfOf: link.record.onBehalfOf,
      stageName: stageDefinition.name,
      stageNumber: input.stageIndex + 1,
      stageCount: run.chain.stages.length,
      summary,
      approveUrl: urls.approveUrl,
      rejectUrl: urls.rejectUrl,
      expiresAt,
    });
    await deps.email.send({ ...message, to: [link.record.holder.email] });
  };

  if (firstRound) {
    for (const link of links) await send(link, 'request');
    return { emailsSent: links.length, resumedAtOnce: false };
  }

  // A reminder carries a fresh link (only hashes are kept, so the first one cannot be sent again);
  // both work until the stage expires, and whichever is used first decides for that approver.
  const decided = new Set(stage.decisions.map((decision) => decision.approverIndex));
  const undecided = stageDefinition.approvers.map((_, index) => index).filter((index) => !decided.has(index));
  const reminders = undecided.map((index) => newLink(run, input.stageIndex, index, expiresAt, now, false));
  const escalate = !stage.deputiesAsked && Date.parse(now) - Date.parse(requestedAt) >= deps.timing.escalateAfterSeconds * 1000;
  const deputies = escalate
    ? undecided.filter((index) => stageDefinition.approvers[index]?.deputy).map((index) => newLink(run, input.stageIndex, index, expiresAt, now, true))
    : [];
  await deps.approvals.addLinks([...reminders, ...deputies].map((link) => link.record), stage.deputiesAsked || escalate);
  for (const link of reminders) await send(link, 'reminder');
  for (const link of deputies) await send(link, 'escalation');
  return { emailsSent: reminders.length + deputies.length, resumedAtOnce: false };
}

export type RunOutcome = 'approved' | 'changes_requested' | 'expired' | 'failed';

/**
 * Last state: ends the run, sets the plan's status (approved; changes requested, back to its
 * owners; or parsed again, so it can be sent once more, after an expiry or failure) and tells the
 * plan's owners, with the approvers' comments when changes are requested.
 */
export async function finishApprovalRun(
  deps: ApprovalDependencies,
  input: RunRef & { outcome: RunOutcome; cause?: string },
): Promise<{ finished: boolean; emailsSent: number }> {
  const run = await requireRun(deps, input);
  const now = deps.clock.now().toISOString();
  const planStatus = input.outcome === 'approved' ? 'approved' : input.outcome === 'changes_requested' ? 'changes_requested' : 'parsed';
  const finished = await deps.approvals.finishRun(input.planId, input.revision, input.attempt, input.outcome, planStatus, now);
  if (!finished || input.outcome === 'failed' || run.chain.planOwners.length === 0) return { finished, emailsSent: 0 };

  const stage = await deps.approvals.getStage(input.planId, input.revision, input.attempt, run.currentStage);
  const stageName = run.chain.stages[run.currentStage]?.name ?? null;
  const comments = (stage?.decisions ?? [])
    .filter((decision) => input.outcome !== 'changes_requested' || decision.decision === 'reject')
    .filter((decision) => decision.comment)
    .map((decision) => ({
      by: decision.decidedBy,
      onBehalfOf: onBehalfOf(run, decision.approverIndex, decision.decidedBy),
      comment: decision.comment as string,
      decidedAt: decision.decidedAt,
    }));
  const summary = await approvalSummaryOf(deps, await requirePlan(deps, input.planId), input.revision);
  const message = renderPlanOutcomeEmail({ outcome: input.outcome, summary, stageName, comments });
  await deps.email.send({ ...message, to: run.chain.planOwners.map((owner) => owner.email) });
  return { finished, emailsSent: 1 };
}

/** The approver a deputy decided for, at the run's current stage (the one whose decisions are reported). */
function onBehalfOf(run: ApprovalRun, approverIndex: number, decidedBy: Person): Person | null {
  const approver = run.chain.stages[run.currentStage]?.approvers[approverIndex];
  return approver && approver.email !== decidedBy.email ? { name: approver.name, email: approver.email } : null;
}

/**
 * Resumes the flow with a decided stage's outcome: approval moves to the next stage; a rejection
 * fails the wait with `ChangesRequested` (its cause names the stage). Settling first makes the
 * outcome sent once, whoever gets there first.
 */
export async function sendStageOutcome(
  deps: Pick<ApprovalDependencies, 'approvals' | 'workflow' | 'clock'>,
  run: ApprovalRun,
  stage: StageRequest,
  outcome: 'approved' | 'rejected',
): Promise<void> {
  if (stage.settled === null) await deps.approvals.settleStage(run.planId, run.revision, run.attempt, stage.stageIndex, outcome);
  if (outcome === 'approved') {
    await deps.workflow.completeTask(stage.taskToken, { stageIndex: stage.stageIndex, outcome: 'approved', decidedAt: deps.clock.now().toISOString() });
  } else {
    await deps.workflow.failTask(stage.taskToken, 'ChangesRequested', `Stage ${stage.stageIndex + 1} (${run.chain.stages[stage.stageIndex]?.name ?? ''}) requested changes`);
  }
}

/** Sends a stage's outcome, tolerating a token that is no longer waiting when the run's next round will send it. */
export async function trySendStageOutcome(
  deps: Pick<ApprovalDependencies, 'approvals' | 'workflow' | 'clock'>,
  run: ApprovalRun,
  stage: StageRequest,
  outcome: 'approved' | 'rejected',
): Promise<'sent' | 'next_round' | 'ended'> {
  try {
    await sendStageOutcome(deps, run, stage, outcome);
    return 'sent';
  } catch (error) {
    if (!(error instanceof TaskTokenRefusedError)) throw error;
  }
  // The wait this token belonged to has ended. If a later round has opened meanwhile, its token works.
  const latest = await deps.approvals.getStage(run.planId, run.revision, run.attempt, stage.stageIndex);
  if (latest && latest.taskToken !== stage.taskToken) {
    try {
      await sendStageOutcome(deps, run, { ...latest, settled: outcome }, outcome);
      return 'sent';
    } catch (error) {
      if (!(error instanceof TaskTokenRefusedError)) throw error;
    }
  }
  const current = await deps.approvals.getRun(run.planId, run.revision, run.attempt);
  // Between rounds (a heartbeat just ran out): the next round finds the stage settled and resumes.
  return current?.status === 'in_progress' ? 'next_round' : 'ended';
}

interface IssuedLink {
  token: string;
  record: ApprovalLink;
}

function newLink(
  run: ApprovalRun,
  stageIndex: number,
  approverIndex: number,
  expiresAt: string,
  now: string,
  deputy: boolean,
): IssuedLink {
  const approver = run.chain.stages[stageIndex]?.approvers[approverIndex];
  if (!approver) throw new Error(`Stage ${stageIndex} has no approver ${approverIndex}`);
  const holder = deputy && approver.deputy ? approver.deputy : { name: approver.name, email: approver.email };
  const issued = issueLinkToken();
  return {
    token: issued.token,
    record: {
      linkId: issued.linkId,
      secretSha256: issued.secretSha256,
      planId: run.planId,
      revision: run.revision,
      attempt: run.attempt,
      stageIndex,
      approverIndex,
      holder,
      onBehalfOf: deputy ? { name: approver.name, email: approver.email } : null,
      createdAt: now,
      expiresAt,
      usedAt: null,
    },
  };
}

async function requireRun(deps: Pick<ApprovalDependencies, 'approvals'>, ref: RunRef): Promise<ApprovalRun> {
  const run = await deps.approvals.getRun(ref.planId, ref.revision, ref.attempt);
  if (!run) throw new Error(`No approval run ${ref.attempt} for plan ${ref.planId} revision ${ref.revision}`);
  return run;
}

async function requirePlan(deps: Pick<ApprovalDependencies, 'plans'>, planId: string) {
  const plan = await deps.plans.getPlan(planId);
  if (!plan) throw new NotFoundError(`There is no plan ${planId}`);
  return plan;
}
