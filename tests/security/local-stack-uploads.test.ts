import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { createLocalApiGateway } from '../../infra/local/local-api-gateway.ts';
import { createLocalIngestion } from '../../infra/local/local-ingestion.ts';
import { LocalUploadUrlSigner } from '../../shared/adapters/local/local-upload-url-signer.ts';
import { waitFor } from '../helpers/approval-flow.ts';
import { type Api, startApi } from '../api/api-harness.ts';

/**
 * The local stand-in of the presigned S3 PUT, as an attacker on the same machine (or a web page
 * the developer opens) would try it: no signature, a forged one, an expired or stretched one, the
 * signature of another key or content type. Each is refused with 403 and stores nothing; the
 * signed PUT stores the file; a PUT that cannot be stored answers 503, not 200.
 */

let api: Api;
let staff: string;
const objectsDir = mkdtempSync(join(tmpdir(), 'upload-objects-'));

beforeAll(async () => {
  // The real local ingestion receives the PUT files (its table is the harness's, made first).
  const ingestion: { current?: Awaited<ReturnType<typeof createLocalIngestion>> } = {};
  api = await startApi({ receiveUpload: (key, bytes) => ingestion.current!.ingestObject(key, bytes) });
  ingestion.current = await createLocalIngestion({ dynamodbEndpoint: inject('dynamodbEndpoint'), tableName: api.tableName, objectsDir });
  staff = await api.token('staff', 'bristol', 'bristol-staff-1');
}, 60_000);

afterAll(async () => {
  await api?.stop();
  rmSync(objectsDir, { recursive: true, force: true });
});

function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function grant() {
  const response = await api.request('POST', '/uploads', { token: staff, body: { kind: 'plan', fileName: 'bristol.pdf' } });
  expect(response.status).toBe(201);
  const body = response.body as { uploadId: string; statusUrl: string; upload: { url: string; headers: Record<string, string> } };
  return { ...body, url: new URL(body.upload.url) };
}

async function put(url: URL | string, body: string | Uint8Array = '%PDF-1.7 not really', contentType = 'application/pdf') {
  const response = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function expectRefused(url: URL | string, uploadId: string, contentType?: string) {
  const response = await put(url, undefined, contentType);
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status: 403, title: 'Not allowed' });
  expect(filesUnder(objectsDir)).toEqual([]);
  const status = await api.request('GET', `/uploads/${uploadId}`, { token: staff });
  expect(status.body).toMatchObject({ status: 'awaiting_file' });
  return response.body!;
}

describe('the local upload URL', () => {
  it('is signed: it carries an expiry and a signature', async () => {
    const { url } = await grant();
    expect(url.pathname).toMatch(/^\/local-uploads\/uploads\/plans\/[0-9a-f-]{36}\/bristol\.pdf$/);
    expect(url.searchParams.get('expires')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(url.searchParams.get('signature')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a PUT without a signature, or with no expiry', async () => {
    const { url, uploadId } = await grant();
    const unsigned = new URL(url);
    unsigned.searchParams.delete('signature');
    expect((await expectRefused(unsigned, uploadId)).detail).toMatch(/not signed/);
    const anonymous = new URL(url.pathname, url);
    anonymous.searchParams.set('expires', '2999-01-01T00:00:00.000Z');
    await expectRefused(anonymous, uploadId);
  });

  it('refuses a forged signature, and one made with another key', async () => {
    const { url, uploadId } = await grant();
    const forged = new URL(url);
    const signature = forged.searchParams.get('signature')!;
    forged.searchParams.set('signature', (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1));
    expect((await expectRefused(forged, uploadId)).detail).toMatch(/signature does not match/);
    const key = decodeURIComponent(url.pathname.slice('/local-uploads/'.length));
    const otherKey = await new LocalUploadUrlSigner(api.baseUrl, new Uint8Array(randomBytes(32))).sign({ key, contentType: 'application/pdf', expiresInSeconds: 900 });
    await expectRefused(otherKey.url, uploadId);
    const truncated = new URL(url);
    truncated.searchParams.set('signature', signature.slice(0, 10));
    await expectRefused(truncated, uploadId);
  });

  it('refuses an expired URL, and an expiry stretched by the client', async () => {
    const { url, uploadId } = await grant();
    const key = decodeURIComponent(url.pathname.slice('/local-uploads/'.length));
    const past = new LocalUploadUrlSigner(api.baseUrl, api.uploadSigningKey, () => new Date(Date.now() - 3_600_000));
    const expired = await past.sign({ key, contentType: 'application/pdf', expiresInSeconds: 900 });
    expect((await expectRefused(expired.url, uploadId)).detail).toMatch(/expired/);
    const stretched = new URL(url);
    stretched.searchParams.set('expires', '2999-01-01T00:00:00.000Z');
    await expectRefused(stretched, uploadId);
  });

  it('refuses the signature of one key used for another, and another content type', async () => {
    const first = await grant();
    const second = await grant();
    const swapped = new URL(second.url.pathname, first.url);
    swapped.search = first.url.search;
    await expectRefused(swapped, second.uploadId);
    await expectRefused(first.url, first.uploadId, 'text/html');
  });

  it('stores the file of a signed PUT and starts its analysis', async () => {
    const { url, uploadId } = await grant();
    const response = await put(url);
    expect(response.status).toBe(200);
    expect(filesUnder(objectsDir).some((path) => path.endsWith('bristol.pdf'))).toBe(true);
    // Not a readable PDF: the analysis fails, but the file was received.
    const failed = await waitFor(async () => {
      const status = await api.request('GET', `/uploads/${uploadId}`, { token: staff });
      return status.body.status === 'failed' ? status.body : null;
    }, 'the upload analysed');
    expect(failed).toMatchObject({ status: 'failed' });
    rmSync(objectsDir, { recursive: true, force: true });
  });
});

describe('bodies and paths the gateway cannot take', () => {
  it('answers 413 problem+json to a 60 MB body, to an upload and to the API', async () => {
    const big = new Uint8Array(60 * 1024 * 1024);
    const { url } = await grant();
    const upload = await put(url, big);
    expect(upload.status).toBe(413);
    expect(upload.headers.get('content-type')).toBe('application/problem+json');
    expect(upload.body).toMatchObject({ status: 413, title: 'The request body is too large' });
    const apiCall = await fetch(`${api.baseUrl}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(apiCall.status).toBe(413);
    expect(await apiCall.json()).toMatchObject({ status: 413 });
    rmSync(objectsDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 400, not 500, to a path that is not valid percent-encoding', async () => {
    const plan = await api.request('GET', '/plans/%E0%A4%A', { token: staff });
    expect(plan.status).toBe(400);
    expect(plan.body).toMatchObject({ status: 400, detail: 'The path is not valid percent-encoding' });
    const upload = await put(`${api.baseUrl}/local-uploads/uploads/plans/%E0%A4%A/x.pdf?expires=x&signature=y`);
    expect(upload.status).toBe(400);
  });
});

describe('an upload that cannot be stored', () => {
  it('answers 503 problem+json with Retry-After while DynamoDB is down, instead of a silent 200', async () => {
    const dynamoDb = await startDynamoDbLocal();
    const objects = mkdtempSync(join(tmpdir(), 'upload-objects-down-'));
    const ingestion = await createLocalIngestion({ dynamodbEndpoint: dynamoDb.endpoint, tableName: 'down', objectsDir: objects });
    const uploadSigningKey = new Uint8Array(randomBytes(32));
    const server: Server = createServer(createLocalApiGateway({ signingKey: new Uint8Array(32), receiveUpload: ingestion.ingestObject, uploadSigningKey }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await dynamoDb.stop();
      const signed = await new LocalUploadUrlSigner(base, uploadSigningKey).sign({ key: 'uploads/plans/x/y.pdf', contentType: 'application/pdf', expiresInSeconds: 60 });
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      const response = await put(signed.url).finally(() => (console.error = original));
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body).toMatchObject({ status: 503, detail: expect.stringMatching(/send it again/) });
      // Logged where the stack runs, not swallowed.
      expect(errors.length).toBeGreaterThanOrEqual(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      ingestion.close();
      rmSync(objects, { recursive: true, force: true });
    }
  }, 60_000);
});
