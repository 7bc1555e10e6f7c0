import { z } from 'zod';
import { DECISIONS, ITEM_KINDS } from '../../shared/domain/plan.ts';
import { listPlanItems } from '../../shared/usecases/list-plan-items.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler, pageQuery } from '../lib/http.ts';
import { planIdParam } from './params.ts';

const CSV_COLUMNS = ['ref', 'kind', 'section', 'addressee', 'decision', 'text', 'action', 'actionText', 'owners', 'targets', 'due'];

/** GET /plans/{id}/items?kind=&decision=&section=&owner=&limit=&cursor= (JSON, or CSV: one row per action). */
export const handler = httpHandler(
  {
    auth: 'required',
    csv: true,
    path: z.object({ id: planIdParam }),
    query: z.object({
      kind: z.enum(ITEM_KINDS).optional(),
      decision: z.enum([...DECISIONS, 'none']).optional(),
      section: z.string().min(1).max(200).optional(),
      owner: z.string().min(1).max(200).optional(),
      ...pageQuery,
    }),
  },
  async ({ path, query }, principal) => {
    const { plan, page } = await listPlanItems({ planId: path.id, ...query }, principal, apiDependencies());
    return {
      body: page,
      csv: () => ({
        fileName: `${plan.planId}-items`,
        ...(page.cursor ? { cursor: page.cursor } : {}),
        table: {
          columns: CSV_COLUMNS,
          rows: page.items.flatMap((item) => {
            const fields = [item.ref, item.kind, item.section, item.addressee, item.decision, item.text];
            if (item.actions.length === 0) return [[...fields, null, null, null, null, null]];
            return item.actions.map((action, index) => [
              ...fields,
              index + 1,
              action.text,
              action.owners.join('; '),
              action.targets.map((target) => target.raw).join('; '),
              action.targets.flatMap((target) => (target.due ? [target.due] : [])).join('; '),
            ]);
          }),
        },
      }),
    };
  },
);
