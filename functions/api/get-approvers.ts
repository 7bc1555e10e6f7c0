import { z } from 'zod';
import { getApprovalChain } from '../../shared/usecases/approval/approval-api.ts';
import { approvalApiDependencies } from '../lib/approval-runtime.ts';
import { httpHandler } from '../lib/http.ts';
import { establishmentIdParam } from './params.ts';

/** GET /establishments/{id}/approvers: the establishment's approval chain (or the default it gets). */
export const handler = httpHandler({ auth: 'required', path: z.object({ id: establishmentIdParam }) }, async ({ path }, principal) => ({
  body: await getApprovalChain(path.id, principal, approvalApiDependencies()),
}));
