#!/usr/bin/env -S npx tsx
/**
 * start: the whole system on this machine, offline, with no AWS account.
 *
 *   npm start                 the web UI, HTTP API, approval pages and outbox on http://localhost:3000
 *   npm start -- --demo       …and load the fixture reports and plans, so there is data at once
 *   npm start -- --reset      delete the local data first (DynamoDB, uploaded files, sent emails)
 *   PORT=3001 npm start       on another port
 *   npm start -- --host 0.0.0.0   listen on every interface, not only this machine's loopback (warned)
 *
 * Data is kept in .local/data/ between runs. Ctrl-C stops everything. A second `npm start` on the
 * same data says where the first one runs instead of starting again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../infra/local/local-hosts.ts';
import { AlreadyRunningError, PortInUseError, resetLocalData, startLocalStack } from '../infra/local/local-stack.ts';

const repository = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(repository, '.local', 'data');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      demo: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    process.stderr.write(`"${values.port ?? process.env.PORT}" is not a port number\n`);
    return 2;
  }
  const host = values.host?.replace(/^\[|\]$/g, '');
  if (host !== undefined && host !== 'localhost' && !isIP(host)) {
    process.stderr.write(`"${values.host}" is not an address to listen on: give an IP address, such as --host 0.0.0.0 (every interface)\n`);
    return 2;
  }
  const say = (message: string) => process.stdout.write(`${message}\n`);
  if (host !== undefined && !isLoopbackHost(host)) {
    process.stderr.write(
      `WARNING: listening on ${host}, not only on this machine: anyone who can reach it on port ${port} can open the web UI, ` +
        'the outbox with its approval links, and the API, whose sign-in is a local stand-in anyone can use. ' +
        'Only do this on a network you trust. (DynamoDB Local stays on 127.0.0.1.)\n',
    );
  }

  try {
    if (values.reset) {
      resetLocalData(DATA);
      say(`Local data deleted (${DATA}).`);
    }
    const started = Date.now();
    const stack = await startLocalStack({ dataDir: DATA, port, ...(host ? { host } : {}), log: say });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`\n${signal}: stopping…`);
      void stack.stop().then(
        () => {
          say('Stopped. Your data is kept in .local/data/ (npm start -- --reset deletes it).');
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`Could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('Ctrl-C'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    stopWhenStarterEnds(() => stop('npm start ended'));

    say('');
    say(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
    say(`  Web UI          ${stack.baseUrl}/   (sign in with a name and a role: a local stand-in, no password)`);
    say(`  Upload          ${stack.baseUrl}/ui/upload`);
    say(`  Outbox          ${stack.baseUrl}/outbox   (the emails the approval flow sent)`);
    say(`  HTTP API        ${stack.baseUrl}/openapi.json   (token: npm run -s token -- --role viewer)`);
    say(`  Data            ${DATA}`);
    say(`  Node            ${process.version} (${process.execPath})`);
    say(
      host === undefined || host === 'localhost'
        ? '  Listening on    127.0.0.1 and ::1 only (npm start -- --host 0.0.0.0 opens it to the network)'
        : `  Listening on    ${host}:${port}${isLoopbackHost(host) ? '' : ' (open to the network)'}`,
    );
    say('Ctrl-C stops everything.');

    if (values.demo) await loadDemo(stack.ingest, say);
    return -1;
  } catch (error) {
    if (error instanceof AlreadyRunningError || error instanceof PortInUseError) {
      process.stderr.write(`${error.message}\n`);
      return 3;
    }
    throw error;
  }
}

/** The fixture reports first (each starts a draft), then the plans that answer them (revision 2). */
async function loadDemo(
  ingest: (fileName: string, bytes: Uint8Array, kind?: 'plan' | 'report') => Promise<{ outcome: string }>,
  say: (message: string) => void,
): Promise<void> {
  const fixtures = join(repository, 'tests', 'fixtures');
  const documents: { path: string; kind: 'plan' | 'report' }[] = [
    ...pdfsIn(join(fixtures, 'reports')).map((path) => ({ path, kind: 'report' as const })),
    ...pdfsIn(join(fixtures, 'action-plans')).map((path) => ({ path, kind: 'plan' as const })),
  ];
  say(`\nLoading ${documents.length} demo documents…`);
  for (const { path, kind } of documents) {
    const name = path.split('/').pop() ?? path;
    const outcome = await ingest(`${kind}-${name}`, new Uint8Array(readFileSync(path)), kind);
    const detail = 'planId' in outcome ? `${String(outcome.planId)} revision ${String((outcome as { revision?: number }).revision)}` : outcome.outcome;
    say(`  ${kind.padEnd(6)} ${name}: ${detail}`);
  }
  say('Demo data loaded.');
}

/**
 * `npm start` runs this through npm, sh and tsx; killed with kill -9, npm takes none of them with
 * it, and the stack (DynamoDB Local included) would run on unseen. So the stack watches the leader
 * of its process group (the command the terminal started) and stops when it is gone. Where the group
 * cannot be read (no /proc) or this process leads its own group, there is nothing to watch.
 */
function stopWhenStarterEnds(stop: () => void): void {
  let leader: number;
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    leader = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return;
  }
  if (!Number.isInteger(leader) || leader <= 1 || leader === process.pid) return;
  const watch = setInterval(() => {
    try {
      process.kill(leader, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
        clearInterval(watch);
        stop();
      }
    }
  }, 1000);
  watch.unref();
}

function pdfsIn(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.pdf'))
    .sort()
    .map((name) => join(directory, name));
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
