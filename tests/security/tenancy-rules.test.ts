import { describe, expect, it } from 'vitest';
import { assertCanUpload, canReadApprovalAudit, type Principal, uploadRefusal } from '../../shared/domain/access.ts';
import { ForbiddenError } from '../../shared/domain/request-errors.ts';
import { uploadRequestIdOf } from '../../shared/domain/uploads.ts';
import { planFacts, uploaderText } from '../../shared/presentation/approval-emails.ts';
import { ADMIN_UPLOADER, staffUploader } from '../helpers/uploaders.ts';

/** The pure tenancy rules: who may upload, for which establishment, and who may read an approval audit. */
const principal = (role: Principal['role'], establishmentId: string | null = null, email: string | null = null): Principal => ({
  subject: `${role}-1`,
  role,
  establishmentId,
  email,
});
const brixton = { kind: 'plan' as const, establishment: 'HMP Brixton', establishmentId: 'brixton' };

describe('requesting an upload', () => {
  it('is for admins and staff of an establishment', () => {
    expect(() => assertCanUpload(principal('admin'))).not.toThrow();
    expect(() => assertCanUpload(principal('staff', 'liverpool'))).not.toThrow();
    expect(() => assertCanUpload(principal('staff'))).toThrow(ForbiddenError);
    expect(() => assertCanUpload(principal('staff'))).toThrow(/staff of no establishment/);
    expect(() => assertCanUpload(principal('viewer'))).toThrow(ForbiddenError);
    expect(() => assertCanUpload(principal('approver', 'liverpool'))).toThrow(ForbiddenError);
  });
});

describe('storing an uploaded document', () => {
  it('an admin may, for any establishment, or none read', () => {
    expect(uploadRefusal(ADMIN_UPLOADER, brixton, null)).toBeNull();
    expect(uploadRefusal(ADMIN_UPLOADER, { kind: 'plan', establishment: null, establishmentId: null }, null)).toBeNull();
  });

  it('staff may for their own establishment only; the refusal names both', () => {
    expect(uploadRefusal(staffUploader('brixton'), brixton, 'HMP Brixton')).toBeNull();
    expect(uploadRefusal(staffUploader('liverpool'), brixton, 'HMP Liverpool')).toMatch(
      /^This plan is for HMP Brixton \(brixton\), but you upload for HMP Liverpool \(liverpool\): .*nothing was stored/,
    );
    expect(uploadRefusal(staffUploader('liverpool'), { ...brixton, kind: 'report' }, null)).toMatch(
      /^This report is for HMP Brixton \(brixton\), but you upload for liverpool:/,
    );
    expect(uploadRefusal(staffUploader('liverpool'), { kind: 'plan', establishment: null, establishmentId: null }, null)).toMatch(
      /could not be read from this plan/,
    );
  });

  it('nobody else may', () => {
    expect(uploadRefusal({ ...staffUploader('x'), establishmentId: null }, brixton, null)).toMatch(/staff of no establishment/);
    expect(uploadRefusal({ ...ADMIN_UPLOADER, role: 'viewer' }, brixton, null)).toMatch(/viewer role may not upload/);
  });
});

describe('the upload request of an object key', () => {
  it('is the uuid segment of <prefix><uuid>/<file>, and none for other keys', () => {
    const uuid = '2b0f4b0e-3c1a-4a51-9a35-0123456789ab';
    expect(uploadRequestIdOf(`uploads/plans/${uuid}/HMP Bristol plan.pdf`)).toBe(uuid);
    expect(uploadRequestIdOf(`uploads/reports/${uuid}/report.pdf`)).toBe(uuid);
    expect(uploadRequestIdOf('uploads/plans/hmp-bristol.pdf')).toBeNull();
    expect(uploadRequestIdOf(`uploads/plans/${uuid}/nested/file.pdf`)).toBeNull();
    expect(uploadRequestIdOf(`elsewhere/${uuid}/file.pdf`)).toBeNull();
  });
});

describe('reading a plan’s approval audit', () => {
  const chainEmails = ['Pat.Governor@example.gov.uk'];
  it('admins and the establishment’s staff may', () => {
    expect(canReadApprovalAudit(principal('admin'), 'liverpool', [])).toBe(true);
    expect(canReadApprovalAudit(principal('staff', 'liverpool'), 'liverpool', [])).toBe(true);
    expect(canReadApprovalAudit(principal('staff', 'bristol'), 'liverpool', chainEmails)).toBe(false);
  });

  it('approvers may when tied to the establishment by their token or its approvers’ addresses', () => {
    expect(canReadApprovalAudit(principal('approver', 'liverpool'), 'liverpool', [])).toBe(true);
    expect(canReadApprovalAudit(principal('approver', null, 'pat.governor@example.gov.uk'), 'liverpool', chainEmails)).toBe(true);
    expect(canReadApprovalAudit(principal('approver', 'bristol', 'someone@example.gov.uk'), 'liverpool', chainEmails)).toBe(false);
    expect(canReadApprovalAudit(principal('approver'), 'liverpool', chainEmails)).toBe(false);
    expect(canReadApprovalAudit(principal('approver'), null, [])).toBe(false);
  });

  it('viewers may not, even with an address in the chain', () => {
    expect(canReadApprovalAudit(principal('viewer', 'liverpool', 'pat.governor@example.gov.uk'), 'liverpool', chainEmails)).toBe(false);
  });
});

describe('the approval email says who uploaded the revision', () => {
  it('as address and role, or that it was not recorded', () => {
    expect(uploaderText(staffUploader('brixton', 'bea'))).toBe('bea@example.gov.uk (staff of brixton)');
    expect(uploaderText(ADMIN_UPLOADER)).toBe('admin@example.gov.uk (admin)');
    expect(uploaderText({ ...ADMIN_UPLOADER, email: null })).toBe('user test-admin (admin)');
    expect(uploaderText(null)).toBe('Not recorded');
  });

  it('among the plan’s facts, after the revision', () => {
    const summary = {
      planId: 'brixton-2026-02-04',
      revision: 2,
      establishment: 'HMP Brixton',
      source: 'brixton.pdf',
      format: 'agreed-2018' as const,
      reportPublished: '2026-02-04',
      itemCount: 2,
      actionCount: 2,
      decisions: { agreed: 2 },
      actionsWithoutOwner: 0,
      actionsWithoutTarget: 0,
      targetsPast: [],
    };
    const labels = planFacts({ ...summary, uploadedBy: staffUploader('brixton') }).map((fact) => fact.label);
    expect(labels.slice(labels.indexOf('Revision'), labels.indexOf('Revision') + 2)).toEqual(['Revision', 'Uploaded by']);
    expect(planFacts(summary).map((fact) => fact.label)).not.toContain('Uploaded by');
  });
});
