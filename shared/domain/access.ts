import type { PlanStatus } from './plan.ts';
import { ForbiddenError } from './request-errors.ts';

/**
 * Who may do what through the query API. The roles come from the identity provider (a Cognito
 * group or the `custom:role` attribute); staff belong to one establishment.
 *
 * - viewer: analysts and inspectors: read plans that are not drafts, items, actions, establishments.
 * - staff: as a viewer, plus their own establishment's drafts (read and answer), and uploads.
 * - approver: as a viewer (the approval routes add their own rights; a plan's approval audit only
 *   for the establishments they approve for, see `canReadApprovalAudit`).
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

/**
 * Uploading plans and reports: admins, and staff of an establishment (a member of staff with no
 * establishment could upload for none, since ingestion keeps staff to their own).
 */
export function assertCanUpload(principal: Principal): void {
  if (principal.role !== 'staff' && principal.role !== 'admin') {
    throw new ForbiddenError(`The ${principal.role} role may not upload documents`);
  }
  if (principal.role === 'staff' && principal.establishmentId === null) {
    throw new ForbiddenError(
      'You are staff of no establishment, so there is no establishment you may upload for; ask an admin to set your establishment',
    );
  }
}

/**
 * Who uploaded a document: recorded from the token of whoever requested the upload (POST /uploads),
 * carried on the upload and onto every revision stored from it.
 */
export interface Uploader {
  /** The identity provider's subject (`sub`). */
  subject: string;
  role: Role;
  email: string | null;
  /** The establishment a member of staff belongs to; null for admins. */
  establishmentId: string | null;
}

/** What ingestion read of a document's establishment, to check it against the uploader's. */
export interface DocumentEstablishment {
  kind: 'plan' | 'report';
  /** As the document prints it ("HMP Brixton"); null when it could not be read. */
  establishment: string | null;
  establishmentId: string | null;
}

/**
 * Why this uploader may not store this document, in words for the person who uploaded it; null when
 * they may. Admins may upload for every establishment; staff only for their own, so a document whose
 * establishment is another, or could not be read, is refused. `uploaderEstablishmentName` is how
 * the uploader's establishment is printed on its plans, when one is stored.
 */
export function uploadRefusal(
  uploader: Uploader,
  document: DocumentEstablishment,
  uploaderEstablishmentName: string | null,
): string | null {
  if (uploader.role === 'admin') return null;
  if (uploader.role !== 'staff') return `The ${uploader.role} role may not upload documents, so nothing was stored`;
  if (uploader.establishmentId === null) {
    return 'You are staff of no establishment, so nothing was stored; ask an admin to set your establishment';
  }
  const yours = uploaderEstablishmentName
    ? `${uploaderEstablishmentName} (${uploader.establishmentId})`
    : uploader.establishmentId;
  if (document.establishmentId === null) {
    return (
      `The establishment could not be read from this ${document.kind}, so it cannot be checked that it is ${yours}, ` +
      'the one you upload for; nothing was stored. Check its title names the establishment, or ask an admin to upload it'
    );
  }
  if (document.establishmentId === uploader.establishmentId) return null;
  const theirs = `${document.establishment ?? document.establishmentId} (${document.establishmentId})`;
  return (
    `This ${document.kind} is for ${theirs}, but you upload for ${yours}: staff may upload only their own ` +
    `establishment’s plans and reports, so nothing was stored. An admin can upload it for ${theirs}`
  );
}

/**
 * The approval audit of a plan (who decided, their addresses and comments): admins, staff of the
 * plan's establishment, and the approvers who approve for it. An approver is tied to an
 * establishment by the token's `custom:establishment` naming it, or by their email being an
 * approver's or a deputy's in the chain the establishment uses now (its own, else the default) or in
 * the chain of the current revision's latest approval run, or one who has decided on this plan (its
 * audit names them, as approver or deputy): `approverEmails`.
 */
export function canReadApprovalAudit(
  principal: Principal,
  establishmentId: string | null,
  approverEmails: readonly string[],
): boolean {
  if (canWorkOnEstablishment(principal, establishmentId)) return true;
  if (principal.role !== 'approver') return false;
  if (establishmentId !== null && principal.establishmentId === establishmentId) return true;
  const email = principal.email?.trim().toLowerCase();
  return email !== undefined && email !== '' && approverEmails.some((candidate) => candidate.trim().toLowerCase() === email);
}

/** An upload's status: whoever requested it, and admins. */
export function assertCanReadUpload(principal: Principal, requestedBy: string): void {
  if (principal.role !== 'admin' && principal.subject !== requestedBy) {
    throw new ForbiddenError('Only the person who requested an upload, and admins, may follow it');
  }
}
