import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jwtVerify, SignJWT } from 'jose';
import type { Role } from '../../shared/domain/access.ts';

/**
 * Local stand-in for Cognito: HS256 tokens signed with a dev key kept in `.local/dev-signing-key`
 * (created on first use; `.local/` is not committed), carrying the claims a Cognito ID token has.
 */

const repository = fileURLToPath(new URL('../..', import.meta.url));
export const DEV_SIGNING_KEY_PATH = join(repository, '.local', 'dev-signing-key');
export const DEV_ISSUER = 'urn:inspection-action-plans:local-dev';
export const DEV_AUDIENCE = 'inspection-action-plans-local';

export function devSigningKey(path = DEV_SIGNING_KEY_PATH): Uint8Array {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return new Uint8Array(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url'));
}

export interface DevTokenRequest {
  role: Role;
  establishment?: string;
  email?: string;
  subject?: string;
  hours?: number;
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
    .setExpirationTime(`${request.hours ?? 8}h`)
    .sign(key);
}

/** The token's claims when it is signed with the key, unexpired, and for this issuer and audience; null otherwise. */
export async function verifyDevToken(token: string, key: Uint8Array): Promise<Record<string, unknown> | null> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['HS256'] });
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}
