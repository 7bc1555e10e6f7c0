import { z } from 'zod';
import { getPlan } from '../../shared/usecases/get-plan.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler } from '../lib/http.ts';
import { planIdParam } from './params.ts';

/** GET /plans/{id}: the plan and its counts. */
export const handler = httpHandler(
  { auth: 'required', path: z.object({ id: planIdParam }) },
  async ({ path }, principal) => ({ body: await getPlan(path.id, principal, apiDependencies()) }),
);
