import { z } from 'zod';
import { ApprovalChain } from '../../shared/domain/approval.ts';
import { setApprovalChain } from '../../shared/usecases/approval/approval-api.ts';
import { approvalApiDependencies } from '../lib/approval-runtime.ts';
import { httpHandler } from '../lib/http.ts';
import { establishmentIdParam } from './params.ts';

/** PUT /establishments/{id}/approvers: sets the establishment's approval chain (admins). */
export const handler = httpHandler(
  { auth: 'required', path: z.object({ id: establishmentIdParam }), body: ApprovalChain.strict() },
  async ({ path, body }, principal) => ({ body: await setApprovalChain(path.id, body, principal, approvalApiDependencies()) }),
);
