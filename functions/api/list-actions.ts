import { z } from 'zod';
import { ACTION_STATUSES } from '../../shared/domain/action-status.ts';
import { listActions } from '../../shared/usecases/list-actions.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler, isoDateParam, pageQuery } from '../lib/http.ts';

const CSV_COLUMNS = ['planId', 'establishment', 'itemRef', 'itemKind', 'action', 'text', 'owners', 'targets', 'due', 'status'];

/** GET /actions?owner=&dueBefore=&overdue=true&status=&limit=&cursor= (JSON or CSV). */
export const handler = httpHandler(
  {
    auth: 'required',
    csv: true,
    query: z.object({
      owner: z.string().min(1).max(200).optional(),
      dueBefore: isoDateParam.optional(),
      overdue: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
      status: z.enum(ACTION_STATUSES).optional(),
      ...pageQuery,
    }),
  },
  async ({ query }, principal) => {
    const page = await listActions(query, principal, apiDependencies());
    return {
      body: page,
      csv: () => ({
        fileName: query.owner ? `actions-${query.owner}` : 'actions',
        ...(page.cursor ? { cursor: page.cursor } : {}),
        table: {
          columns: CSV_COLUMNS,
          rows: page.items.map((action) => [
            action.planId,
            action.establishment,
            action.itemRef,
            action.itemKind,
            action.actionOrdinal,
            action.text,
            action.owners.join('; '),
            action.targets.map((target) => target.raw).join('; '),
            action.due,
            action.status,
          ]),
        },
      }),
    };
  },
);
