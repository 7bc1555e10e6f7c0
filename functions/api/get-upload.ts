import { z } from 'zod';
import { getUploadStatus } from '../../shared/usecases/get-upload-status.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler } from '../lib/http.ts';

/** GET /uploads/{id}: where an upload stands. */
export const handler = httpHandler(
  { auth: 'required', path: z.object({ id: z.uuid() }) },
  async ({ path }, principal) => ({ body: await getUploadStatus(path.id, principal, apiDependencies()) }),
);
