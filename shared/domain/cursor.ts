import { createHash } from 'node:crypto';
import { InvalidRequestError } from './request-errors.ts';

/**
 * The API's page cursors: opaque to the client, and bound to the query that handed them out, so a
 * cursor from one list (or the same list with other filters) is refused instead of silently
 * paging something else. Inside is the store's own cursor (its last evaluated key).
 */

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

/** The query a cursor belongs to: the list's name and every filter that shapes it. */
export type CursorScope = Record<string, string | number | boolean | null | undefined>;

function fingerprint(scope: CursorScope): string {
  const canonical = Object.keys(scope)
    .filter((key) => scope[key] !== undefined)
    .sort()
    .map((key) => [key, scope[key]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}

export function encodeCursor(storeCursor: string, scope: CursorScope): string {
  return Buffer.from(JSON.stringify({ q: fingerprint(scope), c: storeCursor })).toString('base64url');
}

/** The store's cursor inside an API cursor; a cursor of another query, or not a cursor at all, is a 400. */
export function decodeCursor(cursor: string, scope: CursorScope): string {
  const refused = new InvalidRequestError('cursor is not one this list handed out', [
    { pointer: 'query.cursor', message: 'pass back the cursor of the previous page of the same query, unchanged' },
  ]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused;
  }
  if (typeof decoded !== 'object' || decoded === null) throw refused;
  const { q, c } = decoded as { q?: unknown; c?: unknown };
  if (q !== fingerprint(scope) || typeof c !== 'string' || c.length === 0) throw refused;
  return c;
}
