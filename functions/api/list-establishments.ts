import { z } from 'zod';
import { listEstablishments } from '../../shared/usecases/list-establishments.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler, pageQuery } from '../lib/http.ts';

/** GET /establishments?limit=&cursor= */
export const handler = httpHandler(
  { auth: 'required', query: z.object({ ...pageQuery }) },
  async ({ query }, principal) => ({ body: await listEstablishments(query, principal, apiDependencies()) }),
);
