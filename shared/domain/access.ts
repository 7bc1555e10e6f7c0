import type { PlanStatus } from './plan.ts';
import { ForbiddenError } from './request-errors.ts';

/**
 * Who may do what through the query API. The roles come from the identity provider (a Cognito
 * group or the `custom:role` attribute); staff belong to one establishment.
 *
 * - viewer: analysts and inspectors: read plans that are not drafts, items, actions, establishments.
 * - staff: as a viewer, plus their own establishment's drafts (read and answer), and uploads.
 * - approver: as a viewer (the approval routes add their own rights).
 * - admin: everything, for every establishment.
 */
export const ROLES = ['viewer', 'staff', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The identity provider's subject (`sub`). */
  subject: string;
  role: Role;
  /** The establishment a member of staff belongs to; null for others. */
  establishmentId: string | null;
  email: string | null;
}

/** The role a set of group names grants: the most privileged one they name. */
export function roleFromGroups(groups: readonly string[]): Role | null {
  for (const role of [...ROLES].reverse()) if (groups.includes(role)) return role;
  return null;
}

/** What access rules need to know about a plan. */
export interface PlanAccessFacts {
  status: PlanStatus;
  establishmentId: string | null;
}

export function isDraft(plan: Pick<PlanAccessFacts, 'status'>): boolean {
  return plan.status === 'awaiting_response';
}

/** Drafts are visible only to admins and to staff of the draft's establishment; other plans to everyone. */
export function canReadPlan(principal: Principal, plan: PlanAccessFacts): boolean {
  if (!isDraft(plan)) return true;
  return canWorkOnEstablishment(principal, plan.establishmentId);
}

/** Admins, and staff of this establishment. */
export function canWorkOnEstablishment(principal: Principal, establishmentId: string | null): boolean {
  if (principal.role === 'admin') return true;
  return principal.role === 'staff' && establishmentId !== null && principal.establishmentId === establishmentId;
}

/**
 * The establishment whose drafts a principal may see in a list: every one for an admin (`'*'`),
 * their own for staff, none for the others (null).
 */
export function draftsVisibleTo(principal: Principal): '*' | string | null {
  if (principal.role === 'admin') return '*';
  return principal.role === 'staff' ? principal.establishmentId : null;
}

export function assertCanReadPlan(principal: Principal, plan: PlanAccessFacts & { planId: string }): void {
  if (!canReadPlan(principal, plan)) {
    throw new ForbiddenError(`Plan ${plan.planId} is a draft; only its establishment's staff and admins may see it`);
  }
}

export function assertCanAnswerDraft(principal: Principal, plan: PlanAccessFacts & { planId: string }): void {
  if (!canWorkOnEstablishment(principal, plan.establishmentId)) {
    throw new ForbiddenError(`Only staff of ${plan.establishmentId ?? 'the plan’s establishment'} and admins may answer plan ${plan.planId}`);
  }
}

/** Uploading plans and reports: staff and admins. */
export function assertCanUpload(principal: Principal): void {
  if (principal.role !== 'staff' && principal.role !== 'admin') {
    throw new ForbiddenError(`The ${principal.role} role may not upload documents`);
  }
}

/** An upload's status: whoever requested it, and admins. */
export function assertCanReadUpload(principal: Principal, requestedBy: string): void {
  if (principal.role !== 'admin' && principal.subject !== requestedBy) {
    throw new ForbiddenError('Only the person who requested an upload, and admins, may follow it');
  }
}
