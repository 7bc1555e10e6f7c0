import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An approval link's token is `<linkId>.<secret>`: the id (128 random bits) finds the stored link,
 * the secret (256 random bits) proves the holder received the email. Only the secret's SHA-256 is
 * stored, so a copy of the table cannot act on a link.
 */
export interface IssuedLinkToken {
  linkId: string;
  secret: string;
  token: string;
  secretSha256: string;
}

const ID_BYTES = 16;
const SECRET_BYTES = 32;
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function issueLinkToken(random: (size: number) => Buffer = randomBytes): IssuedLinkToken {
  const linkId = random(ID_BYTES).toString('base64url');
  const secret = random(SECRET_BYTES).toString('base64url');
  return { linkId, secret, token: `${linkId}.${secret}`, secretSha256: sha256Hex(secret) };
}

/** The parts of a token, or null when it cannot be one this service issued. */
export function parseLinkToken(token: string): { linkId: string; secret: string } | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { linkId: match[1] as string, secret: match[2] as string } : null;
}

/** Whether the secret is the one whose hash was stored (compared in constant time). */
export function secretMatches(secret: string, storedSha256: string): boolean {
  const actual = Buffer.from(sha256Hex(secret), 'hex');
  const expected = Buffer.from(storedSha256, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A client address kept only as a keyed hash: decisions from one address can be linked, the address is not kept. */
export function hashClientIp(ip: string | null, key: string): string | null {
  return ip ? createHmac('sha256', key).update(ip).digest('hex') : null;
}

/** The request headers that say where a browser's form POST came from (absent from non-browser clients). */
export interface RequestSite {
  /** `Sec-Fetch-Site`: `same-origin`, `same-site`, `cross-site` or `none`. */
  secFetchSite: string | null;
  origin: string | null;
  /** The host the request was sent to (`Host`). */
  host: string | null;
}

/**
 * Whether a form POST came from another site's page (a forged decision): browsers say so in
 * `Sec-Fetch-Site`, and only `same-origin` (the link's own confirmation page) or `none` (the user
 * acting directly) are the link's own. Without it, an `Origin` naming another host, or `null` (a
 * sandboxed or opaque page), is refused. The confirmation page's no-referrer policy makes Chromium
 * send `Origin: null` even from the page itself, but Chromium always sends `Sec-Fetch-Site` too, so
 * `Sec-Fetch-Site` decides first. A request with neither header (curl, older browsers) is allowed:
 * the link's secret is still the credential.
 */
export function isCrossSiteRequest({ secFetchSite, origin, host }: RequestSite): boolean {
  if (secFetchSite) return secFetchSite !== 'same-origin' && secFetchSite !== 'none';
  if (!origin) return false;
  if (origin === 'null') return true;
  try {
    return host === null || new URL(origin).host !== host.toLowerCase();
  } catch {
    return true;
  }
}
