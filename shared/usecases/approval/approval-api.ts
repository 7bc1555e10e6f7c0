import { assertCanReadPlan, canReadApprovalAudit, canWorkOnEstablishment, type Principal } from '../../domain/access.ts';
import type { ApprovalAuditEntry, ApprovalChain } from '../../domain/approval.ts';
import { ForbiddenError, NotFoundError, UnprocessableError } from '../../domain/request-errors.ts';
import type { StoredPlan } from '../../ports/plan-store.ts';
import { type ApprovalDependencies, chainFor } from './approval-context.ts';
import { submitForApproval } from './run-approval.ts';

/**
 * The approval flow through the HTTP API: sending a plan for approval, an establishment's approval
 * chain, and the audit of decisions.
 */
type ApiDependencies = Pick<ApprovalDependencies, 'plans' | 'approvals' | 'workflow' | 'defaultChain' | 'clock'>;

/** POST /plans/{id}/approval: staff of the plan's establishment, or an admin. */
export async function sendPlanForApproval(planId: string, principal: Principal, deps: ApiDependencies) {
  const plan = await deps.plans.getPlan(planId);
  if (!plan) throw new NotFoundError(`There is no plan ${planId}`);
  assertCanReadPlan(principal, plan);
  if (!canWorkOnEstablishment(principal, plan.establishmentId)) {
    throw new ForbiddenError(`Only staff of ${plan.establishmentId ?? 'the plan’s establishment'} and admins may send plan ${planId} for approval`);
  }
  if (plan.itemCount === 0) {
    throw new UnprocessableError(`Plan ${planId} has no items, so there is nothing to approve: upload the plan again (its PDF may be damaged)`);
  }
  return submitForApproval(deps, planId);
}

export interface ApprovalChainView {
  establishmentId: string;
  chain: ApprovalChain;
  /** `establishment`: set for it; `default`: the deployment's default, until one is set. */
  source: 'establishment' | 'default';
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * GET /establishments/{id}/approvers: admins, the establishment's staff, and the approvers who
 * approve for it (by their token's establishment, or their email in the chain it shows), as for the
 * audit (`canReadApprovalAudit`): the chain lists people's addresses.
 */
export async function getApprovalChain(establishmentId: string, principal: Principal, deps: ApiDependencies): Promise<ApprovalChainView> {
  const stored = await deps.approvals.getChain(establishmentId);
  const view: ApprovalChainView | null = stored
    ? { establishmentId, chain: stored.chain, source: 'establishment', updatedAt: stored.updatedAt, updatedBy: stored.updatedBy }
    : deps.defaultChain
      ? { establishmentId, chain: deps.defaultChain, source: 'default', updatedAt: null, updatedBy: null }
      : null;
  if (!canReadApprovalAudit(principal, establishmentId, view ? emailsInChain(view.chain) : [])) {
    throw new ForbiddenError(`The approvers of ${establishmentId} are shown to its staff, its approvers and admins`);
  }
  if (!view) throw new NotFoundError(`No approvers are set for ${establishmentId}, and there is no default`);
  return view;
}

/** The approvers' and deputies' addresses in a chain. */
function emailsInChain(chain: ApprovalChain | null): string[] {
  return (chain?.stages ?? []).flatMap((stage) =>
    stage.approvers.flatMap((approver) => [approver.email, ...(approver.deputy ? [approver.deputy.email] : [])]),
  );
}

/** PUT /establishments/{id}/approvers: admins only (who approves a plan is not for its authors to choose). Runs already started keep their chain. */
export async function setApprovalChain(establishmentId: string, chain: ApprovalChain, principal: Principal, deps: ApiDependencies): Promise<ApprovalChainView> {
  if (principal.role !== 'admin') throw new ForbiddenError('Only admins may set an establishment’s approvers');
  const updatedAt = deps.clock.now().toISOString();
  const updatedBy = principal.email ?? principal.subject;
  await deps.approvals.putChain(establishmentId, chain, updatedBy, updatedAt);
  return { establishmentId, chain, source: 'establishment', updatedAt, updatedBy };
}

/**
 * GET /plans/{id}/audit: every decision on the plan, oldest first, to admins, staff of the plan's
 * establishment and the approvers who approve for it (see `canReadApprovalAudit`); it names
 * approvers with their addresses and comments, so other viewers and staff get 403.
 * The client's hashed address and user agent are shown to admins only.
 */
export async function listApprovalAudit(planId: string, principal: Principal, deps: ApiDependencies): Promise<{ planId: string; entries: ApprovalAuditEntry[] }> {
  const plan = await deps.plans.getPlan(planId);
  if (!plan) throw new NotFoundError(`There is no plan ${planId}`);
  assertCanReadPlan(principal, plan);
  const entries = await deps.approvals.listAudit(planId);
  if (!(await mayReadAudit(deps, principal, plan, entries))) {
    throw new ForbiddenError(
      `The approval audit of plan ${planId} is shown to staff of ${plan.establishmentId ?? 'its establishment'}, its approvers and admins`,
    );
  }
  return {
    planId,
    entries: principal.role === 'admin' ? entries : entries.map((entry) => ({ ...entry, clientIpHash: null, userAgent: null })),
  };
}

/**
 * `canReadApprovalAudit`, with the addresses of the people who approve for the plan read only as far
 * as needed, cheapest first: none for staff, admins and an approver whose token names the
 * establishment; then whoever decided on it (the audit, already read), the approvers and deputies of
 * the chain its establishment uses now (a GetItem), and last of its current revision's latest run
 * (a Query), for an approver tied by none of those.
 */
async function mayReadAudit(deps: ApiDependencies, principal: Principal, plan: StoredPlan, entries: ApprovalAuditEntry[]): Promise<boolean> {
  if (canReadApprovalAudit(principal, plan.establishmentId, [])) return true;
  if (principal.role !== 'approver') return false;
  const sources: (() => Promise<string[]> | string[])[] = [
    () => entries.flatMap((entry) => [entry.decidedBy.email, ...(entry.onBehalfOf ? [entry.onBehalfOf.email] : [])]),
    async () => emailsInChain(await chainFor(deps, plan.establishmentId)),
    async () => emailsInChain((await deps.approvals.getLatestRun(plan.planId, plan.currentRevision))?.chain ?? null),
  ];
  for (const emails of sources) {
    if (canReadApprovalAudit(principal, plan.establishmentId, await emails())) return true;
  }
  return false;
}
