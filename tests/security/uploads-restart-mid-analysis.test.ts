import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { devSigningKey, mintDevToken } from '../../infra/local/dev-tokens.ts';
import { loadRows } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/free-port.ts';
import { LIVERPOOL_COLUMN_WIDTHS, renderActionPlanPdf } from '../helpers/pdf-generators.ts';

/**
 * The fault: the local stack is killed (kill -9) while it analyses an upload. Before, the upload
 * stayed at its last page for ever, across restarts, and the DynamoDB Local JVM outlived the stack.
 * Now no java of the stack is left behind, and the next start finishes the upload (it analyses it
 * again from its stored file), so it ends parsed or failed with a reason, never hanging.
 */
const repository = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'restart-mid-analysis-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** The stack as `npm start` runs it, in a process of its own, on this test's data folder and port. */
function startStack(port: number): Promise<{ child: ChildProcess; baseUrl: string }> {
  const script = join(dataDir, 'start-stack.mts');
  writeFileSync(
    script,
    `import { startLocalStack } from ${JSON.stringify(join(repository, 'infra/local/local-stack.ts'))};\n` +
      `const stack = await startLocalStack({ dataDir: ${JSON.stringify(join(dataDir, 'data'))}, port: ${port}, signingKeyPath: ${JSON.stringify(join(dataDir, 'key'))}, log: (line) => console.log(line) });\n` +
      `console.log('READY ' + stack.baseUrl);\n` +
      `process.on('SIGTERM', () => void stack.stop().then(() => process.exit(0)));\n`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repository,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start:\n${output}`)), 120_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, baseUrl: ready[1]! });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stack exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** The pids of java processes running DynamoDB Local on this test's data folder (from /proc). */
function javaOfThisStack(): number[] {
  const marker = join(dataDir, 'data', 'dynamodb');
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
        return command[0]?.endsWith('java') && command.includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until<T>(probe: () => Promise<T | null>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface UploadStatus {
  status: string;
  reason: string | null;
  pages: { analysed: number | null; total: number | null };
}

describe('the local stack killed with kill -9 in the middle of an analysis', () => {
  it('leaves no java behind, and after a restart the upload ends (parsed) instead of hanging', async () => {
    const port = await freePort();
    const first = await startStack(port);
    const token = await mintDevToken({ role: 'admin', subject: 'restart-test' }, devSigningKey(join(dataDir, 'key')));
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${first.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    // A long plan: the Liverpool rows three times over (tens of pages).
    const { header, rows } = loadRows('hmp-liverpool-2018');
    const bytes = await renderActionPlanPdf(header, [...rows, ...rows, ...rows], {
      titleLines: ['Action Plan: HMP Restartton', 'Report Published: 3 March 2026'],
      columnWidths: LIVERPOOL_COLUMN_WIDTHS,
    });
    const granted = await api('POST', '/uploads', { kind: 'plan', fileName: 'long plan.pdf' });
    expect(granted.status).toBe(201);
    const { uploadId, upload } = granted.body as { uploadId: string; upload: { url: string; headers: Record<string, string> } };
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
    expect(put.status).toBe(200);

    const midway = await until(async () => {
      const { body } = await api('GET', `/uploads/${uploadId}`);
      const status = body as unknown as UploadStatus;
      return status.status === 'analysing' && (status.pages.analysed ?? 0) >= 1 ? status : null;
    }, 'the analysis to be under way', 60_000);
    expect(midway.pages.analysed).toBeGreaterThanOrEqual(1);
    expect(javaOfThisStack()).toHaveLength(1);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // The JVM goes with the process that started it (its watchdog sees the pipe close).
    await until(async () => (javaOfThisStack().length === 0 ? true : null), 'the JVM to end', 15_000);

    const second = await startStack(port);
    const ended = await until(async () => {
      const response = await fetch(`${second.baseUrl}/uploads/${uploadId}`, { headers: { authorization: `Bearer ${token}` } });
      const status = (await response.json()) as UploadStatus;
      return status.status === 'parsed' || status.status === 'failed' ? status : null;
    }, 'the upload to end after the restart', 120_000);
    expect(ended).toMatchObject({ status: 'parsed', reason: null });

    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    await until(async () => (javaOfThisStack().length === 0 ? true : null), 'the JVM to end', 15_000);
  }, 400_000);
});
