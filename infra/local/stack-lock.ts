import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One local stack per data folder: `npm start` writes a lock file naming its process and address,
 * so a second start, a reset or `npm run ingest` on the same data can say where the first runs.
 */

/** Another `npm start` already runs on this data. */
export class AlreadyRunningError extends Error {
  constructor(
    readonly pid: number,
    readonly baseUrl: string,
  ) {
    super(`The local stack is already running (process ${pid}) at ${baseUrl}: use it, or stop it with Ctrl-C in its terminal first`);
    this.name = 'AlreadyRunningError';
  }
}

export interface LockContent {
  pid: number;
  baseUrl: string;
}

function lockPath(dataDir: string): string {
  return join(dataDir, 'local-stack.lock');
}

/** The local stack running on this data, if one is (`npm start` in another terminal). */
export function runningStack(dataDir: string): LockContent | null {
  const path = lockPath(dataDir);
  if (!existsSync(path)) return null;
  try {
    const content = JSON.parse(readFileSync(path, 'utf8')) as LockContent;
    process.kill(content.pid, 0);
    return content;
  } catch {
    // No such process (or an unreadable lock): a stack that stopped without cleaning up.
    return null;
  }
}

/**
 * Claims the data folder for this process; refused while another stack runs on it. The lock file is
 * created exclusively, so of two starts at the same moment only one wins; a lock left by a stack
 * that was killed (its process is gone) is taken over.
 */
export function claimLock(dataDir: string, baseUrl: string): { release(): void } {
  const path = lockPath(dataDir);
  for (let attempt = 0; ; attempt++) {
    try {
      createExclusively(path, JSON.stringify({ pid: process.pid, baseUrl }));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const running = runningStack(dataDir);
      if (running) throw new AlreadyRunningError(running.pid, running.baseUrl);
      if (attempt > 0) throw error;
      rmSync(path, { force: true });
    }
  }
  return {
    release: () => {
      try {
        const content = JSON.parse(readFileSync(path, 'utf8')) as LockContent;
        if (content.pid === process.pid) rmSync(path, { force: true });
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * Creates `path` holding `content`, or fails with EEXIST when it exists. Written to a file of its
 * own first and then hard-linked into place, so no reader ever sees it empty or half written.
 */
export function createExclusively(path: string, content: string): void {
  const draft = `${path}.${process.pid}.${Date.now()}`;
  writeFileSync(draft, content);
  try {
    linkSync(draft, path);
  } finally {
    rmSync(draft, { force: true });
  }
}
