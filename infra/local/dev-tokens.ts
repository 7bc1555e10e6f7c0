import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jwtVerify, SignJWT } from 'jose';
import { readOrCreateSecretKey } from '../../shared/adapters/local/local-secret-key.ts';
import type { Role } from '../../shared/domain/access.ts';

/**
 * Local stand-in for Cognito: HS256 tokens signed with a dev key kept in `.local/dev-signing-key`
 * (created on first use; `.local/` is not committed), carrying the claims a Cognito ID token has.
 */

const repository = fileURLToPath(new URL('../..', import.meta.url));
export const DEV_SIGNING_KEY_PATH = join(repository, '.local', 'dev-signing-key');
export const DEV_ISSUER = 'urn:inspection-action-plans:local-dev';
export const DEV_AUDIENCE = 'inspection-action-plans-local';

/** The longest a dev token may live (`npm run token -- --hours 720`), and the clock skew allowed on `iat`. */
export const MAX_DEV_TOKEN_AGE_SECONDS = 30 * 24 * 60 * 60;
const CLOCK_SKEW_SECONDS = 60;

export function devSigningKey(path = DEV_SIGNING_KEY_PATH): Uint8Array {
  return readOrCreateSecretKey(path);
}

export interface DevTokenRequest {
  role: Role;
  establishment?: string;
  email?: string;
  subject?: string;
  /** How long the token is valid: `seconds` when given, else `hours` (default 8). */
  hours?: number;
  seconds?: number;
}

export async function mintDevToken(request: DevTokenRequest, key: Uint8Array = devSigningKey()): Promise<string> {
  const subject = request.subject ?? `dev-${request.role}${request.establishment ? `-${request.establishment}` : ''}`;
  return new SignJWT({
    token_use: 'id',
    email: request.email ?? `${subject}@example.gov.uk`,
    'custom:role': request.role,
    ...(request.establishment ? { 'custom:establishment': request.establishment } : {}),
    'cognito:groups': [request.role],
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(request.seconds !== undefined ? `${request.seconds}s` : `${request.hours ?? 8}h`)
    .sign(key);
}

/**
 * The token's claims when it is signed with the key, for this issuer and audience, says when it
 * expires (`exp`, not past) and when it was issued (`iat`, not later than a minute from now nor
 * older than the longest lifetime a dev token is given); null otherwise.
 */
export async function verifyDevToken(token: string, key: Uint8Array): Promise<Record<string, unknown> | null> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: MAX_DEV_TOKEN_AGE_SECONDS,
      clockTolerance: CLOCK_SKEW_SECONDS,
    });
    if (payload.exp! - payload.iat! > MAX_DEV_TOKEN_AGE_SECONDS) return null;
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}
