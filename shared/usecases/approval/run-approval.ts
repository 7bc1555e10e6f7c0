import { ApprovalEndedError, ApprovalExpiredError, evaluateStage, itemsAwaitingResponse, type Person } from '../../domain/approval.ts';
import { issueLinkToken } from '../../domain/approval-links.ts';
import { ConflictError, NotFoundError, RequestError, UnprocessableError } from '../../domain/request-errors.ts';
import type { ApprovalLink, ApprovalRun, StageRequest } from '../../ports/approval-store.ts';
import { ExecutionNameTakenError, TaskTokenRefusedError } from '../../ports/approval-workflow.ts';
import { renderApprovalRequestEmail, renderApprovalWithdrawnEmail, renderPlanOutcomeEmail } from '../../presentation/approval-emails.ts';
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

/**
 * After a new revision of a plan is stored (`previousRevision + 1`): the approval of the revisions
 * before it gives way to it. A run still in progress on an older revision is withdrawn: recorded as
 * withdrawn first (from then on it opens no round, so sends no reminder, and takes no decision).
 * When a run was withdrawn, or the previous revision had been sent back with changes requested, the
 * new revision is sent for approval; only then is the withdrawn run's execution stopped and are the
 * approvers it was waiting on told the request is withdrawn, each step on its own, so a failed stop
 * or email (returned in `withdrawalProblems`, for the caller to log) neither keeps the new revision
 * from approval nor the other approvers from their email. Called again after a failure (a retry), a
 * previous run already withdrawn whose new revision has no run yet still leads to the submission.
 * Nothing happens when the new revision is not the plan's current one (an older document stored
 * late as history).
 */
export async function resumeApprovalForNewRevision(
  deps: Pick<ApprovalDependencies, 'plans' | 'approvals' | 'workflow' | 'defaultChain' | 'clock' | 'email'>,
  planId: string,
  previousRevision: number,
): Promise<{ resumed: boolean; withdrawn?: { revision: number; attempt: number }; withdrawalProblems?: string[]; reason?: string }> {
  const revision = previousRevision + 1;
  const plan = await deps.plans.getPlan(planId);
  if (plan?.currentRevision !== revision) return { resumed: false, reason: `revision ${revision} is not the plan's current revision` };
  const previousRun = await deps.approvals.getLatestRunBefore(planId, revision);
  let withdrawn: ApprovalRun | undefined;
  if (previousRun?.status === 'in_progress') {
    if (await deps.approvals.withdrawRun(previousRun.planId, previousRun.revision, previousRun.attempt, deps.clock.now().toISOString())) withdrawn = previousRun;
  } else if (previousRun?.status === 'withdrawn') {
    // Withdrawn by an earlier call for this revision that failed before the submission (a retry):
    // submitted unless the new revision has a run already, then the withdrawal finished (its stop
    // and emails come after the submission, so had not happened).
    if (await deps.approvals.getLatestRun(planId, revision)) return { resumed: false, reason: `revision ${revision} has been sent for approval already` };
    withdrawn = previousRun;
  } else if (previousRun?.status !== 'changes_requested') {
    return { resumed: false, reason: 'no earlier revision was in approval or sent back' };
  }
  const withdrawnRef = withdrawn ? { withdrawn: { revision: withdrawn.revision, attempt: withdrawn.attempt } } : {};
  let outcome: { resumed: boolean; reason?: string };
  try {
    await submitForApproval(deps, planId);
    outcome = { resumed: true };
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    outcome = { resumed: false, reason: error.message };
  }
  if (!withdrawn) return outcome;
  const problems = await finishWithdrawal(deps, withdrawn, revision);
  return { ...outcome, ...withdrawnRef, ...(problems.length > 0 ? { withdrawalProblems: problems } : {}) };
}

/**
 * After a superseded run was recorded withdrawn (see `resumeApprovalForNewRevision`): stops its
 * execution and emails the approvers it was waiting on. Each failure is returned, not thrown.
 */
async function finishWithdrawal(
  deps: Pick<ApprovalDependencies, 'plans' | 'approvals' | 'workflow' | 'clock' | 'email'>,
  run: ApprovalRun,
  newRevision: number,
): Promise<string[]> {
  const problems: string[] = [];
  if (run.executionId) {
    try {
      await deps.workflow.stop(run.executionId, `Revision ${newRevision} of plan ${run.planId} was stored`);
    } catch (error) {
      problems.push(`Stopping execution ${run.executionId} failed: ${messageOf(error)}`);
    }
  }
  try {
    // Read again: a round may have opened a later stage before the run was withdrawn (none can after).
    const withdrawn = (await deps.approvals.getRun(run.planId, run.revision, run.attempt)) ?? run;
    problems.push(...(await tellWithdrawn(deps, withdrawn, newRevision)));
  } catch (error) {
    problems.push(`Telling the approvers of plan ${run.planId} revision ${run.revision} it is withdrawn failed: ${messageOf(error)}`);
  }
  return problems;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Emails the approvers a withdrawn run was waiting on (and the deputies asked for them) that the request is withdrawn; returns the emails that failed. */
async function tellWithdrawn(
  deps: Pick<ApprovalDependencies, 'plans' | 'approvals' | 'clock' | 'email'>,
  run: ApprovalRun,
  newRevision: number,
): Promise<string[]> {
  const stage = await deps.approvals.getStage(run.planId, run.revision, run.attempt, run.currentStage);
  const stageDefinition = run.chain.stages[run.currentStage];
  // No round had opened: nobody was asked yet. A settled stage waits on nobody.
  if (!stage || !stageDefinition || stage.settled !== null) return [];
  const decided = new Set(stage.decisions.map((decision) => decision.approverIndex));
  const asked = stageDefinition.approvers.flatMap((approver, index) => {
    if (decided.has(index)) return [];
    const own = { recipient: { name: approver.name, email: approver.email }, onBehalfOf: null };
    return stage.deputiesAsked && approver.deputy ? [own, { recipient: approver.deputy, onBehalfOf: { name: approver.name, email: approver.email } }] : [own];
  });
  const summary = await approvalSummaryOf(deps, await requirePlan(deps, run.planId), run.revision);
  const failed: string[] = [];
  for (const { recipient, onBehalfOf } of asked) {
    const message = renderApprovalWithdrawnEmail({ recipient, onBehalfOf, stageName: stageDefinition.name, summary, newRevision });
    try {
      await deps.email.send({ ...message, to: [recipient.email] });
    } catch (error) {
      failed.push(`The withdrawn email to ${recipient.email} failed: ${messageOf(error)}`);
    }
  }
  return failed;
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
): Promise<{ stageCount: number; stageIndex: number; secondsLeft: number }> {
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
  const fresh = { stageCount: stored.chain.stages.length, stageIndex: 0, secondsLeft: deps.timing.linkValidSeconds };
  if (stored.continuedFrom === undefined) return fresh;

  // A run carried on after its execution was lost: it starts at the stage it continues from, whose
  // links keep their expiry (a settled stage goes on at once, however little time is left).
  const stage = await deps.approvals.getStage(input.planId, input.revision, input.attempt, stored.currentStage);
  if (!stage) return { ...fresh, stageIndex: stored.currentStage };
  const left = Math.ceil((Date.parse(stage.expiresAt) - deps.clock.now().getTime()) / 1000);
  return { ...fresh, stageIndex: stored.currentStage, secondsLeft: stage.settled !== null ? Math.max(1, left) : left };
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
  if (run.status !== 'in_progress') throw new ApprovalEndedError(`The approval run of ${input.planId} revision ${input.revision} has ended (${run.status})`);
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
  // Withdrawn while this round opened (a newer revision was stored): nobody is asked any more.
  if ((await deps.approvals.getRun(input.planId, input.revision, input.attempt))?.status !== 'in_progress') {
    throw new ApprovalEndedError(`The approval run of ${input.planId} revision ${input.revision} ended while a round opened`);
  }
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
    .filter((decision) => decision.applied !== false)
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
 * fails the wait with `ChangesRequested` (its cause names the stage). The stage is settled by the
 * decision that decides it; one recorded before decisions settled stages is settled here first.
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

/**
 * Sends a stage's outcome, tolerating a token that is no longer waiting when the run's next round
 * will send it: `next_round` while the execution still runs; `gone` when the run is in progress but
 * its execution is not (lost in a restart, or ended without recording the run); `ended` when the
 * run itself has ended.
 */
export async function trySendStageOutcome(
  deps: Pick<ApprovalDependencies, 'approvals' | 'workflow' | 'clock'>,
  run: ApprovalRun,
  stage: StageRequest,
  outcome: 'approved' | 'rejected',
): Promise<'sent' | 'next_round' | 'gone' | 'ended'> {
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
  if (current?.status !== 'in_progress') return 'ended';
  // Between rounds (a heartbeat just ran out): the next round finds the stage settled and resumes.
  const state = current.executionId ? await deps.workflow.executionState(current.executionId) : 'unknown';
  return state === 'running' ? 'next_round' : 'gone';
}

/**
 * Carries on a run whose execution is gone, from the stage a decision was just recorded for: the
 * run ends as `restarted` and its next attempt starts with that stage (decisions and expiry copied),
 * in one write; then its execution starts. The next attempt's first round finds the stage as it
 * was: settled, it goes on at once (next stage, changes requested or approved); still waiting, it
 * reminds the approvers who have not decided, with fresh links. False when the run had ended or
 * was carried on by another decision meanwhile.
 */
export async function continueLostRun(
  deps: Pick<ApprovalDependencies, 'approvals' | 'workflow' | 'clock'>,
  run: ApprovalRun,
  stageIndex: number,
): Promise<boolean> {
  for (let tries = 0; tries < 5; tries++) {
    const stage = await deps.approvals.getStage(run.planId, run.revision, run.attempt, stageIndex);
    if (!stage) return false;
    const next: ApprovalRun = {
      ...run,
      attempt: run.attempt + 1,
      executionId: null,
      status: 'in_progress',
      currentStage: stageIndex,
      startedAt: deps.clock.now().toISOString(),
      finishedAt: null,
      continuedFrom: run.attempt,
    };
    if (await deps.approvals.continueRun(run, stage, next)) {
      await deps.workflow.start({ planId: run.planId, revision: run.revision, attempt: next.attempt });
      return true;
    }
    // Another decision was written to the stage meanwhile (copy it too), or the run ended.
    if ((await deps.approvals.getRun(run.planId, run.revision, run.attempt))?.status !== 'in_progress') return false;
  }
  return false;
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
