import type { ApprovalChain, ApprovalTiming, PlanApprovalSummary } from '../../domain/approval.ts';
import { summarisePlanForApproval } from '../../domain/approval.ts';
import type { ApprovalStore } from '../../ports/approval-store.ts';
import type { ApprovalWorkflow } from '../../ports/approval-workflow.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EmailSender } from '../../ports/email-sender.ts';
import type { PlanStore, StoredPlan } from '../../ports/plan-store.ts';

/** What the approval use-cases work with. */
export interface ApprovalDependencies {
  approvals: ApprovalStore;
  plans: PlanStore;
  workflow: ApprovalWorkflow;
  email: EmailSender;
  clock: Clock;
  timing: ApprovalTiming;
  /** The chain of an establishment that has none set (deployment setting); null: one must be set first. */
  defaultChain: ApprovalChain | null;
  /** Where approval links point, without a trailing slash: `<linkBaseUrl>/<token>`. */
  linkBaseUrl: string;
  /** Key of the keyed hash kept instead of a client's IP address. */
  ipHashKey: string;
}

/** The chain that applies to a plan's establishment: its own, else the deployment's default. */
export async function chainFor(deps: Pick<ApprovalDependencies, 'approvals' | 'defaultChain'>, establishmentId: string | null): Promise<ApprovalChain | null> {
  const stored = establishmentId ? await deps.approvals.getChain(establishmentId) : null;
  return stored?.chain ?? deps.defaultChain;
}

export async function approvalSummaryOf(
  deps: Pick<ApprovalDependencies, 'plans' | 'clock'>,
  plan: StoredPlan,
  revision: number,
): Promise<PlanApprovalSummary> {
  const items = await deps.plans.listItems(plan.planId, revision);
  const uploadedBy = await deps.plans.getRevisionUploader(plan.planId, revision);
  const summary = summarisePlanForApproval(
    {
      planId: plan.planId,
      revision,
      establishment: plan.establishment,
      source: plan.source,
      format: plan.format,
      reportPublished: plan.reportPublished,
    },
    items,
    deps.clock.now().toISOString().slice(0, 10),
  );
  return { ...summary, uploadedBy };
}

export function linkUrls(linkBaseUrl: string, token: string): { approveUrl: string; rejectUrl: string; linkUrl: string } {
  const linkUrl = `${linkBaseUrl}/${token}`;
  return { linkUrl, approveUrl: `${linkUrl}?decision=approve`, rejectUrl: `${linkUrl}?decision=reject` };
}

export function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}
