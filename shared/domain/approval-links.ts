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
