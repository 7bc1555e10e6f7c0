import { z } from 'zod';
import { requestUpload } from '../../shared/usecases/request-upload.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler } from '../lib/http.ts';

/** POST /uploads: a presigned PUT for a plan or report PDF, and the id to follow it by. */
export const handler = httpHandler(
  { auth: 'required', body: z.object({ kind: z.enum(['plan', 'report']), fileName: z.string().min(1).max(255).optional() }).strict() },
  async ({ body }, principal) => {
    const { uploads, signer, clock, uploadBucket } = apiDependencies();
    const result = await requestUpload(body, principal, { uploads, signer, clock, bucket: uploadBucket });
    return { status: 201, body: result, headers: { location: result.statusUrl } };
  },
);
