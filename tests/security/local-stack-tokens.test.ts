import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../infra/local/dev-tokens.ts';
import { type Api, startApi } from '../api/api-harness.ts';

/**
 * The local gateway's token check, as the Cognito JWT authorizer's: a token must say when it
 * expires, and cannot have been issued in the future.
 */

let api: Api;
let key: Uint8Array;

beforeAll(async () => {
  api = await startApi();
  key = api.signingKey;
}, 60_000);
afterAll(async () => api?.stop());

const now = () => Math.floor(Date.now() / 1000);

function token(claims: { iat?: number; exp?: number }): Promise<string> {
  const jwt = new SignJWT({ 'custom:role': 'admin', 'cognito:groups': ['admin'], token_use: 'id' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('someone')
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
}

describe('dev tokens at the local gateway', () => {
  it('accepts a well-formed token signed with the key', async () => {
    expect((await api.request('GET', '/plans', { token: await token({ iat: now(), exp: now() + 600 }) })).status).toBe(200);
  });

  it('refuses a token without exp (it would never expire)', async () => {
    const response = await api.request('GET', '/plans', { token: await token({ iat: now() }) });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, detail: 'The bearer token is not valid' });
  });

  it('refuses a token without iat, or issued in the future beyond a minute', async () => {
    expect((await api.request('GET', '/plans', { token: await token({ exp: now() + 600 }) })).status).toBe(401);
    expect((await api.request('GET', '/plans', { token: await token({ iat: now() + 3600, exp: now() + 7200 }) })).status).toBe(401);
    expect((await api.request('GET', '/plans', { token: await token({ iat: now() + 20, exp: now() + 600 }) })).status).toBe(200);
  });

  it('refuses a token meant to live longer than 30 days', async () => {
    expect((await api.request('GET', '/plans', { token: await token({ iat: now(), exp: now() + 365 * 86_400 }) })).status).toBe(401);
  });
});
