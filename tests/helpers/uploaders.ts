import type { Uploader } from '../../shared/domain/access.ts';

/** An admin who uploads (admins may upload for every establishment), for tests that store plans directly. */
export const ADMIN_UPLOADER: Uploader = {
  subject: 'test-admin',
  role: 'admin',
  email: 'admin@example.gov.uk',
  establishmentId: null,
};

/** A member of staff of one establishment who uploads. */
export function staffUploader(establishmentId: string, subject = `staff-of-${establishmentId}`): Uploader {
  return { subject, role: 'staff', email: `${subject}@example.gov.uk`, establishmentId };
}
