import { httpHandler } from '../lib/http.ts';
import { OPENAPI_DOCUMENT } from './openapi.ts';

/** GET /openapi.json (public): the API's description. */
export const handler = httpHandler({ auth: 'none' }, async () => ({
  body: OPENAPI_DOCUMENT,
  headers: { 'cache-control': 'public, max-age=300' },
}));
