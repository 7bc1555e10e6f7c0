import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFolderInUseError, type DynamoDbLocal, startDynamoDbLocal, takeOverStaleLock } from '../../infra/local/dynamodb-local.ts';

/**
 * Two DynamoDB Local JVMs on one data folder corrupt it (`npm run ingest` beside `npm start`, a
 * second start racing the first). A lock in the folder, held for the JVM's life, names its holder;
 * a second start is refused, and the lock of a holder that died (kill -9) is taken over.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'dynamodb-lock-'));
const started: DynamoDbLocal[] = [];
afterAll(async () => {
  for (const dynamoDb of started) await dynamoDb.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
const lockFile = join(dataDir, 'dynamodb-local.lock');

describe('the DynamoDB Local data folder', () => {
  it('is held by one JVM: a second start on it is refused, naming the holder', async () => {
    const first = await startDynamoDbLocal({ dataDir });
    started.push(first);
    const holder = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; startedBy: number };
    expect(holder.startedBy).toBe(process.pid);
    expect(holder.pid).not.toBe(process.pid);

    const second = await startDynamoDbLocal({ dataDir }).then(
      (dynamoDb) => {
        started.push(dynamoDb);
        return null;
      },
      (error: unknown) => error,
    );
    expect(second).toBeInstanceOf(DataFolderInUseError);
    expect((second as Error).message).toContain(`DynamoDB Local is already running on ${dataDir} (process ${holder.pid}, started by process ${process.pid}`);

    await first.stop();
    started.length = 0;
    expect(existsSync(lockFile)).toBe(false);
  }, 120_000);

  it('left locked by a holder that died is taken over', async () => {
    const gone = spawnSync('true').pid!;
    writeFileSync(lockFile, JSON.stringify({ pid: gone, startedBy: gone, startedAt: '2026-01-01T00:00:00.000Z' }));
    const dynamoDb = await startDynamoDbLocal({ dataDir });
    started.push(dynamoDb);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ startedBy: process.pid });
  }, 120_000);

  it('taken over by two starts at once: the slower one puts back the lock the faster one just made', () => {
    // Both read the same stale lock; the faster one has already replaced it with its own.
    const path = join(mkdtempSync(join(tmpdir(), 'dynamodb-lock-race-')), 'dynamodb-local.lock');
    const stale = { pid: spawnSync('true').pid!, startedBy: 1, startedAt: '2026-01-01T00:00:00.000Z' };
    const fresh = { pid: process.pid, startedBy: process.pid, startedAt: new Date().toISOString() };
    writeFileSync(path, JSON.stringify(fresh));
    takeOverStaleLock(path, stale);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(fresh);
    // The stale lock itself is moved away.
    writeFileSync(path, JSON.stringify(stale));
    takeOverStaleLock(path, stale);
    expect(existsSync(path)).toBe(false);
    rmSync(join(path, '..'), { recursive: true, force: true });
  });
});
