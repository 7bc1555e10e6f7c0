import { z } from 'zod';
import { sendPlanForApproval } from '../../shared/usecases/approval/approval-api.ts';
import { approvalApiDependencies } from '../lib/approval-runtime.ts';
import { httpHandler } from '../lib/http.ts';
import { planIdParam } from './params.ts';

/** POST /plans/{id}/approval: starts the approval of the plan's current revision (202; again while it runs: the same run). */
export const handler = httpHandler({ auth: 'required', path: z.object({ id: planIdParam }) }, async ({ path }, principal) => {
  const started = await sendPlanForApproval(path.id, principal, approvalApiDependencies());
  return { status: 202, body: started };
});
