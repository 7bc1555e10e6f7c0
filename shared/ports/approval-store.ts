import type { ApprovalAuditEntry, ApprovalChain, ApprovalDecision, ApprovalStatus, Person } from '../domain/approval.ts';

/** One run of the approval flow over one plan revision, with the chain as it was when it started. */
export interface ApprovalRun {
  planId: string;
  revision: number;
  /** Counts runs of the same revision (a new run after one expired or failed). */
  attempt: number;
  executionId: string | null;
  chain: ApprovalChain;
  status: ApprovalStatus;
  /** The stage waiting for decisions (while in progress). */
  currentStage: number;
  startedAt: string;
  finishedAt: string | null;
  /** The attempt this run carries on (its execution was lost), from its `currentStage`; absent on a fresh run. */
  continuedFrom?: number;
}

/** A decision recorded on a stage, by the approver it belongs to (or their deputy). */
export interface StageDecision {
  approverIndex: number;
  decision: ApprovalDecision;
  comment: string | null;
  decidedBy: Person;
  decidedAt: string;
  /** False for a decision recorded after the stage was settled by another one (it counts for nothing); absent = true. */
  applied?: boolean;
}

/** One stage of a run: the task token it waits on now, and the decisions made so far. */
export interface StageRequest {
  planId: string;
  revision: number;
  stageIndex: number;
  /** The token of the current wait (a reminder starts a new wait with a new token). */
  taskToken: string;
  round: number;
  requestedAt: string;
  /** Links of this stage stop working at this time. */
  expiresAt: string;
  deputiesAsked: boolean;
  decisions: StageDecision[];
  /**
   * The stage's outcome, set in the same write as the decision that settled it (only the first
   * settling decision can set it), or, for stages recorded before that, once it was sent.
   */
  settled: 'approved' | 'rejected' | null;
  /** The decision that settled the stage (null for stages settled before this was kept). */
  settledBy: StageDecision | null;
  /** Counts the decisions written to the stage: a decision is written only over the version it read. */
  version: number;
}

/** A link sent by email; only the hash of its secret is kept. */
export interface ApprovalLink {
  linkId: string;
  secretSha256: string;
  planId: string;
  revision: number;
  attempt: number;
  stageIndex: number;
  /** The approver of the stage this link decides for. */
  approverIndex: number;
  holder: Person;
  /** Set when the holder is a deputy: the approver they stand in for. */
  onBehalfOf: Person | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export type RecordDecisionResult =
  | { recorded: true; stage: StageRequest }
  | {
      recorded: false;
      /**
       * `already_decided`: the link was used, or its approver decided through another link, meanwhile;
       * `stage_changed`: another decision was written to the stage since it was read (read it again);
       * `run_ended`: the run is no longer in progress; `superseded`: the revision is no longer current;
       * `conflict`: another transaction held one of the items (try again).
       */
      reason: 'already_decided' | 'stage_changed' | 'run_ended' | 'superseded' | 'conflict';
    };

/** How a decision is written: over the stage version it read, settling the stage when it decides it. */
export interface DecisionWrite {
  expectedVersion: number;
  /** The outcome this decision gives the stage, or null when the stage still waits for others. */
  settles: 'approved' | 'rejected' | null;
}

export interface ApprovalStore {
  getChain(establishmentId: string): Promise<{ chain: ApprovalChain; updatedAt: string; updatedBy: string } | null>;
  putChain(establishmentId: string, chain: ApprovalChain, updatedBy: string, updatedAt: string): Promise<void>;

  /**
   * Creates the run (attempt n of the revision) and marks the plan awaiting approval, in one step;
   * only while the revision is the plan's current one. False when that run exists already.
   */
  createRun(run: ApprovalRun): Promise<boolean>;
  /** The newest run of a revision. */
  getLatestRun(planId: string, revision: number): Promise<ApprovalRun | null>;
  getRun(planId: string, revision: number, attempt: number): Promise<ApprovalRun | null>;
  /** Records which execution runs it (the execution learns its own id only once it runs). */
  setExecution(planId: string, revision: number, attempt: number, executionId: string): Promise<void>;
  /**
   * Ends the run, and sets the plan's status to match if the revision is still the current one.
   * False when it had ended already (the status is left as it was).
   */
  finishRun(
    planId: string,
    revision: number,
    attempt: number,
    status: Exclude<ApprovalStatus, 'in_progress'>,
    planStatus: 'approved' | 'changes_requested' | 'parsed',
    finishedAt: string,
  ): Promise<boolean>;

  getStage(planId: string, revision: number, attempt: number, stageIndex: number): Promise<StageRequest | null>;
  /**
   * Starts a wait on the stage: creates the stage on its first round, or replaces its task token on
   * a later one; links are stored with it; the run's current stage follows.
   */
  openStageRound(stage: Omit<StageRequest, 'decisions' | 'settled' | 'settledBy' | 'version'> & { attempt: number }, links: ApprovalLink[]): Promise<StageRequest>;
  addLinks(links: ApprovalLink[], deputiesAsked: boolean): Promise<void>;
  /**
   * Carries a run whose execution was lost on into the next attempt, in one step: the old run ends
   * as `restarted` (condition: in progress), the next run is put (condition: absent) with the stage
   * it continues from as its current stage and that stage's record copied with its decisions
   * (condition: the stage is still at the version read), while the revision is current.
   * False when the run had ended or the stage changed meanwhile.
   */
  continueRun(previous: ApprovalRun, stage: StageRequest, next: ApprovalRun): Promise<boolean>;
  /** Ends an in-progress run as withdrawn (a newer revision was stored); the plan's status is left to the newer revision. False when it had ended. */
  withdrawRun(planId: string, revision: number, attempt: number, finishedAt: string): Promise<boolean>;
  /** The newest run of any revision below `revision`. */
  getLatestRunBefore(planId: string, revision: number): Promise<ApprovalRun | null>;
  /** Marks the stage's outcome as sent; false when another writer had settled it (for stages recorded before decisions settled them). */
  settleStage(planId: string, revision: number, attempt: number, stageIndex: number, outcome: 'approved' | 'rejected'): Promise<boolean>;

  getLink(linkId: string): Promise<ApprovalLink | null>;
  /**
   * In one step: marks the link used, adds the decision to its stage (unless that approver has
   * decided already, and only over the stage version read, while it is unsettled) and settles the
   * stage when the decision decides it, and appends the audit entry; only while the run is in
   * progress and the revision current.
   */
  recordDecision(link: ApprovalLink, decision: StageDecision, audit: ApprovalAuditEntry, write: DecisionWrite): Promise<RecordDecisionResult>;
  /**
   * A decision that arrived after another settled the stage: marks the link used, adds it to the
   * stage as not applied (one decision per approver still) and appends its audit entry (not applied).
   */
  recordLateDecision(link: ApprovalLink, decision: StageDecision, audit: ApprovalAuditEntry): Promise<RecordDecisionResult>;
  /** Marks a recorded decision as not applied (the flow had ended before it arrived). */
  markDecisionNotApplied(audit: ApprovalAuditEntry): Promise<void>;
  listAudit(planId: string): Promise<ApprovalAuditEntry[]>;
}
