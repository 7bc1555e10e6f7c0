import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createExclusively } from './stack-lock.ts';

/**
 * DynamoDB Local (Amazon's Java emulator) for tests and the local stack, without Docker. The jar
 * comes from the amplify-dynamodb-simulator package, fetched with `npm pack` (its other
 * dependencies are not needed) into `.local/dynamodb/`. It listens on 127.0.0.1 only: the jar
 * itself would listen on every interface (it has no option for the address), so it is started
 * through `LoopbackDynamoDbLocal.java`, which binds its server to the loopback address.
 */

export interface DynamoDbLocalOptions {
  /** Keep the tables in this folder between runs (`-sharedDb -dbPath`); in memory when absent. */
  dataDir?: string;
  /** Port to listen on; a free one when absent. */
  port?: number;
  /** How long to wait for the first answer. */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const repository = fileURLToPath(new URL('../..', import.meta.url));
const DYNAMODB_LOCAL_DIR = join(repository, '.local', 'dynamodb');
const JAR = 'DynamoDBLocal.jar';
const LOOPBACK_LAUNCHER = join(repository, 'infra', 'local', 'LoopbackDynamoDbLocal.java');
/** The only origin DynamoDB Local's CORS allows: one no web page has. */
export const NO_WEB_ORIGIN = 'http://no-web-origin.invalid';

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  ensureJar();
  ensureJava();
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ['-sharedDb', '-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // Two JVMs on one data folder would corrupt it: the folder is claimed first.
  const lock = options.dataDir ? claimDataFolder(options.dataDir) : null;

  const nativeLibraries = `-Djava.library.path=${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib')}`;
  // `-cors` allows the one origin named; its default is `*`, which would let any web page in the
  // developer's browser read and write the tables. No page has the `.invalid` origin (RFC 6761),
  // and the SDK sends no Origin, so it is not affected.
  const javaCommand = ['java', nativeLibraries, '-cp', JAR, LOOPBACK_LAUNCHER, ...storage, '-port', String(port), '-cors', NO_WEB_ORIGIN, '-disableTelemetry'];
  const java = spawn('sh', ['-c', JVM_WATCHDOG, 'dynamodb-local', lock?.path ?? '', ...javaCommand], {
    cwd: DYNAMODB_LOCAL_DIR,
    // Its own process group, so stop() ends it and anything it started.
    detached: true,
    // stdin is the watchdog's lifeline: it closes when this process dies, however it dies.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  lock?.heldBy(java.pid);
  const output = keepTail(java);
  const exited = new Promise<string>((resolve) => {
    java.once('exit', (code, signal) => {
      lock?.release();
      resolve(`java exited (${signal ?? `code ${code}`})`);
    });
    java.once('error', (error) => {
      lock?.release();
      resolve(`java could not be started: ${error.message}`);
    });
  });
  // A test run that ends without calling stop() must not leave the JVM behind.
  const killOnExit = () => killGroup(java, 'SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (java.exitCode !== null || java.signalCode !== null) return;
    killGroup(java, 'SIGTERM');
    const forced = setTimeout(() => killGroup(java, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(forced);
  };

  try {
    await waitUntilAnswering(endpoint, exited, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output()}`, { cause: error });
  }
  return { endpoint, stop };
}

/**
 * The shell that runs the JVM (`sh -c JVM_WATCHDOG dynamodb-local <lock file> java …`): it starts
 * java, then waits for its stdin to close. Node holds the other end of that pipe, and the kernel
 * closes it when node exits for any reason (kill -9 included), so the JVM never outlives the
 * process that started it. A stop (SIGTERM to the group) ends java and waits for it. When java has
 * ended, the lock on the data folder is removed if it still names this shell.
 */
const JVM_WATCHDOG = `
lock="$1"; shift
"$@" </dev/null &
child=$!
finish() {
  # Node may be gone: nothing is written to its pipes any more (a write would end this shell).
  exec >/dev/null 2>&1
  kill -TERM "$child"
  wait "$child"
  if [ -n "$lock" ] && grep -q "\\"pid\\":$$," "$lock"; then rm -f "$lock"; fi
  exit 0
}
trap finish TERM INT HUP
cat >/dev/null
finish
`;

/** Another DynamoDB Local runs on this data folder. */
export class DataFolderInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataFolderLock,
  ) {
    super(
      `DynamoDB Local is already running on ${dataDir} (process ${holder.pid}, started by process ${holder.startedBy} at ${holder.startedAt}): ` +
        'two cannot share one data folder; stop that one first (it is the local stack or npm run ingest of this project)',
    );
    this.name = 'DataFolderInUseError';
  }
}

export interface DataFolderLock {
  /** The process holding the folder: the JVM's watchdog shell (the starting process until it is spawned). */
  pid: number;
  startedBy: number;
  startedAt: string;
}

const DATA_FOLDER_LOCK = 'dynamodb-local.lock';

/**
 * Claims the data folder for one JVM: a lock file created exclusively (so of two starts at once only
 * one wins), naming the process that holds it. A lock whose process is gone (killed before it could
 * clean up) is stale and taken over.
 */
function claimDataFolder(dataDir: string): { path: string; heldBy(pid: number | undefined): void; release(): void } {
  const path = join(dataDir, DATA_FOLDER_LOCK);
  const content = (pid: number): string => `${JSON.stringify({ pid, startedBy: process.pid, startedAt: new Date().toISOString() })}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      createExclusively(path, content(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(path);
      if (holder && holds(holder)) throw new DataFolderInUseError(dataDir, holder);
      if (attempt > 2) throw error;
      takeOverStaleLock(path, holder);
    }
  }
  let holderPid = process.pid;
  return {
    path,
    heldBy: (pid) => {
      if (pid === undefined) return;
      holderPid = pid;
      // Replaced in one step (rename), so a reader never finds it empty.
      const draft = `${path}.${process.pid}`;
      writeFileSync(draft, content(pid));
      renameSync(draft, path);
    },
    release: () => {
      if (readLock(path)?.pid === holderPid) rmSync(path, { force: true });
    },
  };
}

/**
 * Moves a dead holder's lock out of the way in one step (rename), then checks that what was moved
 * is the lock that was read: two starts may find the same stale lock, and the slower one's rename
 * may catch the faster one's fresh lock instead, which is then put back (and the loop finds it
 * held). Never removes a lock it has not read as stale.
 */
export function takeOverStaleLock(path: string, stale: DataFolderLock | null): void {
  const moved = `${path}.stale.${process.pid}.${Date.now()}`;
  try {
    renameSync(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // Another start took it over first.
    throw error;
  }
  const found = readLock(moved);
  const same = JSON.stringify(found) === JSON.stringify(stale);
  if (!same && found) {
    try {
      linkSync(moved, path);
    } catch {
      // A third start has created one meanwhile: the loop finds it.
    }
  }
  rmSync(moved, { force: true });
}

function readLock(path: string): DataFolderLock | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DataFolderLock;
  } catch {
    return null;
  }
}

/**
 * Whether the lock's process still runs (EPERM: it does, as another user). Where /proc tells a
 * process's command line, a pid reused since by some other program does not count: the holder is
 * the watchdog shell, whose command line names the jar, or the process that started it.
 */
function holds(lock: DataFolderLock): boolean {
  try {
    process.kill(lock.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (lock.pid === lock.startedBy) return true;
  try {
    return readFileSync(`/proc/${lock.pid}/cmdline`, 'latin1').includes(JAR);
  } catch {
    return true;
  }
}

/**
 * Fetches the emulator once. Two processes may do this at the same time: each unpacks into its own
 * folder and renames it into place; the loser of the rename drops its copy.
 */
function ensureJar(): void {
  if (existsSync(join(DYNAMODB_LOCAL_DIR, JAR))) return;
  const parent = join(DYNAMODB_LOCAL_DIR, '..');
  mkdirSync(parent, { recursive: true });
  const work = mkdtempSync(join(parent, 'dynamodb-download-'));
  try {
    execFileSync('npm', ['pack', SIMULATOR_PACKAGE, '--pack-destination', work, '--silent'], {
      cwd: work,
      stdio: 'pipe',
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${SIMULATOR_PACKAGE} wrote no tarball`);
    execFileSync('tar', ['-xzf', tarball, 'package/emulator'], { cwd: work, stdio: 'pipe' });
    rmSync(join(work, tarball));
    try {
      renameSync(join(work, 'package', 'emulator'), DYNAMODB_LOCAL_DIR);
    } catch (error) {
      if (!existsSync(join(DYNAMODB_LOCAL_DIR, JAR))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function ensureJava(): void {
  if (javaVersion() !== null) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or later, and `java` is not on the PATH. Install it, for instance ' +
        '`sudo apt-get install -y openjdk-17-jre-headless` (Debian, Ubuntu) or `brew install openjdk@17` (macOS).',
    );
  }
  const install = () => spawnSync('apt-get', ['install', '-y', 'openjdk-17-jre-headless'], { stdio: 'inherit' });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    install();
  }
  if (javaVersion() === null) throw new Error('Installing openjdk-17-jre-headless did not put `java` on the PATH.');
}

function javaVersion(): string | null {
  const run = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return run.status === 0 ? (run.stderr.split('\n')[0] ?? '') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilAnswering(endpoint: string, exited: Promise<string>, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    region: 'local',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let exit: string | undefined;
  void exited.then((reason) => (exit = reason));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exit !== undefined) throw new Error(exit);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`no answer at ${endpoint} after ${timeoutMs} ms`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.destroy();
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** The last lines the emulator printed, for the error message when it does not start. */
function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}
