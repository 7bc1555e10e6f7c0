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
}

/** A decision recorded on a stage, by the approver it belongs to (or their deputy). */
export interface StageDecision {
  approverIndex: number;
  decision: ApprovalDecision;
  comment: string | null;
  decidedBy: Person;
  decidedAt: string;
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
  /** Set once the stage's outcome has been sent to the flow. */
  settled: 'approved' | 'rejected' | null;
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
  /** The link was used, or its approver's decision was recorded through another link, meanwhile. */
  | { recorded: false; reason: 'already_decided' };

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
  openStageRound(stage: Omit<StageRequest, 'decisions' | 'settled'> & { attempt: number }, links: ApprovalLink[]): Promise<StageRequest>;
  addLinks(links: ApprovalLink[], deputiesAsked: boolean): Promise<void>;
  /** Marks the stage's outcome as sent; false when another writer had settled it. */
  settleStage(planId: string, revision: number, attempt: number, stageIndex: number, outcome: 'approved' | 'rejected'): Promise<boolean>;

  getLink(linkId: string): Promise<ApprovalLink | null>;
  /**
   * In one step: marks the link used, adds the decision to its stage (unless that approver has
   * decided already), and appends the audit entry.
   */
  recordDecision(link: ApprovalLink, decision: StageDecision, audit: ApprovalAuditEntry): Promise<RecordDecisionResult>;
  /** Marks a recorded decision as not applied (the flow had ended before it arrived). */
  markDecisionNotApplied(audit: ApprovalAuditEntry): Promise<void>;
  listAudit(planId: string): Promise<ApprovalAuditEntry[]>;
}
