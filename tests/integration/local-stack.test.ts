import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyRunningError, type LocalStack, PortInUseError, resetLocalData, runningStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { freePort } from '../helpers/free-port.ts';
import { signInToWebUi } from '../helpers/web-ui-sign-in.ts';

/**
 * `npm start`'s stack: one per data folder (a second start says where the first runs), a port
 * taken by another program is named as such, data is reset only while nothing runs on it, and a
 * stop leaves no lock behind.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
let stack: LocalStack;
let blocker: Server;
let blockedPort: number;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, resolve));
  blockedPort = (blocker.address() as { port: number }).port;
  stack = await startLocalStack({ dataDir, port: await freePort(), signingKeyPath: join(dataDir, 'key') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  blocker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local stack', () => {
  it('serves the web UI and the API on one port', async () => {
    const cookie = await signInToWebUi(stack.baseUrl, { name: 'Vera Viewer', role: 'viewer' });
    const home = await fetch(`${stack.baseUrl}/`, { headers: { cookie } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<h1>Plans</h1>');
    const api = await fetch(`${stack.baseUrl}/plans`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a second start on the same data, saying where the first runs', async () => {
    expect(runningStack(dataDir)).toMatchObject({ pid: process.pid });
    await expect(startLocalStack({ dataDir, port: 0 })).rejects.toBeInstanceOf(AlreadyRunningError);
    expect(() => resetLocalData(dataDir)).toThrow(AlreadyRunningError);
  });

  it('names a port taken by another program', async () => {
    const other = mkdtempSync(join(tmpdir(), 'local-stack-'));
    try {
      await expect(startLocalStack({ dataDir: other, port: blockedPort })).rejects.toBeInstanceOf(PortInUseError);
      expect(runningStack(other)).toBeNull();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('leaves no lock when stopped, and its data can then be reset', async () => {
    await stack.stop();
    expect(runningStack(dataDir)).toBeNull();
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);
    resetLocalData(dataDir);
    expect(existsSync(dataDir)).toBe(false);
  });
});
