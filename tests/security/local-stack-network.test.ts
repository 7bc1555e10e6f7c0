import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allowedHostHeaders, refuseForeignHosts } from '../../infra/local/local-hosts.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { freePort } from '../helpers/free-port.ts';

/**
 * `npm start` is not an open door on the network: the server and DynamoDB Local listen on the
 * loopback addresses only (a connection to this machine's network address is refused), and a
 * request naming another host (a DNS-rebinding page) is refused with 421.
 */

/** An address of this machine that is not loopback (this container's eth0, a laptop's Wi-Fi). */
const networkAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;

const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-network-'));
let stack: LocalStack;
let port: number;

beforeAll(async () => {
  port = await freePort();
  chmodSync(dataDir, 0o755); // as a folder made by hand, or under an open umask, would be
  stack = await startLocalStack({ dataDir, port, signingKeyPath: join(dataDir, 'dev-signing-key') });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** 'connected' or the error code of a TCP connection to host:port. */
function tryConnect(host: string, to: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port: to, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

function get(path: string, host: string | null): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = host === null ? {} : { host };
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, headers, setHost: host !== null }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), text }));
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

describe('where the local stack listens', () => {
  it.runIf(networkAddress)('the server answers on 127.0.0.1 and ::1, and refuses this machine\'s network address', async () => {
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    expect(await tryConnect('::1', port)).toBe('connected');
    expect(await tryConnect(networkAddress!, port)).toBe('ECONNREFUSED');
  });

  it.runIf(networkAddress)('DynamoDB Local, the stack\'s (on disk) and the tests\' (in memory), answers on 127.0.0.1 only', async () => {
    for (const endpoint of [process.env.DYNAMODB_ENDPOINT!, inject('dynamodbEndpoint')]) {
      const dynamoPort = Number(new URL(endpoint).port);
      expect(await tryConnect('127.0.0.1', dynamoPort)).toBe('connected');
      expect(await tryConnect(networkAddress!, dynamoPort)).toBe('ECONNREFUSED');
    }
  });
});

describe('the data folder', () => {
  it('is made its owner\'s only (0700), the upload signing key 0600', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'upload-signing-key')).mode & 0o777).toBe(0o600);
  });
});

describe('the Host header', () => {
  it('is refused with 421 and a plain message when it names another site', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`, `localhost:${port + 1}`]) {
      const response = await get('/openapi.json', host);
      expect(response.status, host).toBe(421);
      expect(response.type).toBe('text/plain; charset=utf-8');
      expect(response.text).toContain(`http://localhost:${port}/`);
    }
    const ui = await get('/', `rebind.attacker.example:${port}`);
    expect(ui.status).toBe(421);
    expect(ui.text).not.toContain('<html');
  });

  it('is refused when missing (by Node itself, for HTTP/1.1)', async () => {
    expect((await get('/openapi.json', null)).status).toBe(400);
  });

  it('is answered for localhost, 127.0.0.1 and [::1] with the port', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await get('/openapi.json', host)).status, host).toBe(200);
    }
  });
});

describe('the Host headers allowed', () => {
  it('are the loopback names on a loopback address, plus the address given when widened', () => {
    expect([...allowedHostHeaders('127.0.0.1', 3000)].sort()).toEqual(['127.0.0.1:3000', '[::1]:3000', 'localhost:3000']);
    expect(allowedHostHeaders('192.0.2.77', 3000).has('192.0.2.77:3000')).toBe(true);
    expect(allowedHostHeaders('fd00::7', 3000).has('[fd00::7]:3000')).toBe(true);
    expect(allowedHostHeaders('192.0.2.77', 3000).has('evil.example:3000')).toBe(false);
    if (networkAddress) expect(allowedHostHeaders('0.0.0.0', 3000).has(`${networkAddress}:3000`)).toBe(true);
    expect(allowedHostHeaders('127.0.0.1', 80).has('localhost')).toBe(true);
  });

  it('decide before anything else runs', async () => {
    let reached = 0;
    const listener = refuseForeignHosts(new Set(['localhost:1']), (_request, response) => {
      reached += 1;
      response.end('ok');
    });
    const calls: number[] = [];
    const fake = (host: string | undefined) => {
      const response = { writeHead: (status: number) => (calls.push(status), response), end: () => response };
      listener({ headers: host === undefined ? {} : { host }, resume: () => undefined } as never, response as never);
    };
    fake('localhost:1');
    fake('evil:1');
    fake(undefined);
    expect(reached).toBe(1);
    expect(calls).toEqual([421, 421]);
  });
});

/** A request as a web page's fetch makes it: with its Origin (and, for the preflight, what it wants to send). */
function fromPage(endpoint: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, path: '/', method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

describe('the side servers of the local stack, to a web page', () => {
  it('DynamoDB Local allows no web origin (preflight or request), while the SDK, which sends none, still works', async () => {
    const endpoint = process.env.DYNAMODB_ENDPOINT as string;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const origin = 'http://evil.example';
    const preflight = await fromPage(endpoint, 'OPTIONS', {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-amz-target,authorization,x-amz-date',
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const listTables = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables', authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0' };
    const read = await fromPage(endpoint, 'POST', { ...listTables, origin }, '{}');
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    const get = await fromPage(endpoint, 'GET', { origin });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();

    const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({ region: 'local', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames?.length).toBeGreaterThan(0);
    } finally {
      client.destroy();
    }
  });

  it('the Step Functions API refuses a Host naming another site (421) and answers its own', async () => {
    const endpoint = process.env.STEP_FUNCTIONS_ENDPOINT as string;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const start = JSON.stringify({ stateMachineArn: process.env.STATE_MACHINE_ARN, name: 'rebound', input: '{}' });
    const api = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartExecution' };
    const port = new URL(endpoint).port;
    for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`]) {
      const refused = await fromPage(endpoint, 'POST', { ...api, host }, start);
      expect(refused.status, host).toBe(421);
    }
    const own = await fromPage(endpoint, 'POST', { ...api, 'x-amz-target': 'AWSStepFunctions.DescribeExecution', host: `127.0.0.1:${port}` }, JSON.stringify({ executionArn: 'arn:aws:states:local:000000000000:execution:approval:none' }));
    expect(own.status).not.toBe(421);
  });
});
