import { z } from 'zod';
import { listApprovalAudit } from '../../shared/usecases/approval/approval-api.ts';
import { approvalApiDependencies } from '../lib/approval-runtime.ts';
import { httpHandler } from '../lib/http.ts';
import { planIdParam } from './params.ts';

/** GET /plans/{id}/audit: the approval decisions on a plan, oldest first. */
export const handler = httpHandler({ auth: 'required', path: z.object({ id: planIdParam }) }, async ({ path }, principal) => ({
  body: await listApprovalAudit(path.id, principal, approvalApiDependencies()),
}));
