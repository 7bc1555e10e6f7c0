import { z } from 'zod';
import { PLAN_STATUSES } from '../../shared/domain/plan.ts';
import { listPlans } from '../../shared/usecases/list-plans.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler, isoDateParam, pageQuery } from '../lib/http.ts';

/** GET /plans?establishment=&status=&from=&to=&limit=&cursor= */
export const handler = httpHandler(
  {
    auth: 'required',
    query: z.object({
      establishment: z.string().regex(/^[a-z0-9-]{1,80}$/, 'an establishment id such as long-lartin').optional(),
      status: z.enum(PLAN_STATUSES).optional(),
      from: isoDateParam.optional(),
      to: isoDateParam.optional(),
      ...pageQuery,
    }),
  },
  async ({ query }, principal) => ({ body: await listPlans(query, principal, apiDependencies()) }),
);
