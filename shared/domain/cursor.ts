import { createHash } from 'node:crypto';
import { InvalidRequestError } from './request-errors.ts';

/**
 * The API's page cursors: opaque to the client, and bound to the query that handed them out, so a
 * cursor from one list (or the same list with other filters) is refused instead of silently
 * paging something else. Inside is the store's own cursor (its last evaluated key), which the store
 * checks again before using it: a key of the partition and range the query reads, naming a record
 * of the kind the query lists (docs/api.md, Paging). Anything else is a 400 with a plain message.
 */

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;
/** Longer than any cursor the API hands out (a few hundred characters); a longer one is refused unread. */
export const MAX_CURSOR_LENGTH = 2048;

/** The query a cursor belongs to: the list's name and every filter that shapes it. */
export type CursorScope = Record<string, string | number | boolean | null | undefined>;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

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

/** The refusal of a cursor that is not one this list handed out, for the use-case's and the store's checks alike. */
export function cursorRefused(): InvalidRequestError {
  return new InvalidRequestError('The cursor is not one this list handed out for this query', [
    { pointer: 'query.cursor', message: 'pass back the cursor of the previous page of the same query, unchanged, or leave it out for the first page' },
  ]);
}

/** Strict base64url (Node's decoder skips characters outside the alphabet, so it is checked first). */
export function isBase64Url(text: string): boolean {
  return text.length > 0 && text.length <= MAX_CURSOR_LENGTH && BASE64URL.test(text) && text.length % 4 !== 1;
}

/** JSON inside base64url text, or undefined when it is not that. */
export function parseBase64UrlJson(text: string): unknown {
  if (!isBase64Url(text)) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The store's cursor inside an API cursor; a cursor of another query, or not a cursor at all, is a 400. */
export function decodeCursor(cursor: string, scope: CursorScope): string {
  const decoded = parseBase64UrlJson(cursor);
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw cursorRefused();
  const { q, c, ...rest } = decoded as { q?: unknown; c?: unknown };
  if (Object.keys(rest).length > 0 || q !== fingerprint(scope) || typeof c !== 'string' || c.length === 0 || c.length > MAX_CURSOR_LENGTH) {
    throw cursorRefused();
  }
  return c;
}

/** Whether a cursor was handed out by the query of this scope (for telling a person why it is refused). */
export function cursorBelongsTo(cursor: string, scope: CursorScope): boolean {
  const decoded = parseBase64UrlJson(cursor);
  return typeof decoded === 'object' && decoded !== null && (decoded as { q?: unknown }).q === fingerprint(scope);
}
