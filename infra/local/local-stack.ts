import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { join } from 'node:path';
import { API_ROUTES, APPROVAL_LINK_ROUTES } from '../../functions/api/routes.ts';
import { createLocalApiGateway, setLocalApiEnvironment } from './local-api-gateway.ts';
import { devSigningKey, mintDevToken } from './dev-tokens.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalApproval, startLocalApproval } from './local-approval.ts';
import { createLocalIngestion } from './local-ingestion.ts';
import { allowedHostHeaders, LOOPBACK_ADDRESSES, refuseForeignHosts } from './local-hosts.ts';
import { AlreadyRunningError, claimLock, runningStack } from './stack-lock.ts';
import { createWebUi } from './web-ui.ts';
import { readOrCreateSecretKey } from '../../shared/adapters/local/local-secret-key.ts';
import type { UploadKind } from '../../shared/ports/upload-store.ts';
import type { CompleteAnalysisOutcome } from '../../shared/usecases/complete-analysis.ts';

export { AlreadyRunningError, runningStack } from './stack-lock.ts';

export const TABLE_NAME = 'action-plans';
/** How long the upload page's token lasts: long enough to upload and follow an analysis; reload the page for another. */
export const UPLOAD_PAGE_TOKEN_SECONDS = 30 * 60;

export interface LocalStackOptions {
  /** Where DynamoDB's data, uploaded files and sent emails are kept between runs. */
  dataDir: string;
  port: number;
  /**
   * The address to listen on: `localhost` when absent, i.e. the loopback addresses 127.0.0.1 and
   * ::1, so only this machine reaches the server; another (`0.0.0.0`: every interface) opens it.
   */
  host?: string;
  /** Where the dev signing key is (default `.local/dev-signing-key`). */
  signingKeyPath?: string;
  /** CDK context overrides for the state machine (tests use short timers). */
  context?: Record<string, unknown>;
  log?: (message: string) => void;
}

export interface LocalStack {
  baseUrl: string;
  dataDir: string;
  outboxDir: string;
  /** Puts a PDF through the local ingestion (as an upload to S3 would) and waits until it is stored or failed. */
  ingest(fileName: string, bytes: Uint8Array, kind?: UploadKind): Promise<CompleteAnalysisOutcome>;
  stop(): Promise<void>;
}

/** The port is taken by something other than the local stack. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is in use by another program: stop it, or start on another port with PORT=${port + 1} npm start`);
    this.name = 'PortInUseError';
  }
}

/**
 * The whole system on this machine, offline: DynamoDB Local (data kept in `dataDir`), the folder
 * object store and local PDF analyser in place of S3 and Textract, the synthesised approval state
 * machine on the local runner, emails in an outbox folder, and one HTTP server with the web UI, the
 * HTTP API (the same route table and handlers as API Gateway's) and the approval link pages.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  // Only its owner may read the data (plans, uploaded files, emails with live links, the upload key).
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  const lock = claimLock(options.dataDir, `http://localhost:${options.port}`);
  const outboxDir = join(options.dataDir, 'outbox');
  const baseUrl = `http://localhost:${options.port}`;
  const stops: (() => Promise<void> | void)[] = [() => lock.release()];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
    stops.length = 0;
  };

  // Until everything has started, requests get 503 instead of hanging.
  let handle: RequestListener = (_request, response) => {
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2' }).end('The local stack is starting; try again in a moment.');
  };
  try {
    const host = options.host ?? 'localhost';
    const hosts = host === 'localhost' ? [...LOOPBACK_ADDRESSES] : [host];
    const listener = refuseForeignHosts(allowedHostHeaders(host, options.port), (request, response) => handle(request, response));
    for (const server of await listen(options.port, hosts, listener)) stops.push(() => closeServer(server));

    log('Starting DynamoDB Local…');
    const dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ dataDir: join(options.dataDir, 'dynamodb') });
    stops.push(() => dynamoDb.stop());

    const uploadSigningKeyPath = join(options.dataDir, 'upload-signing-key');
    setLocalApiEnvironment({ dynamodbEndpoint: dynamoDb.endpoint, tableName: TABLE_NAME, gatewayUrl: baseUrl, uploadSigningKeyPath });
    log('Synthesising the approval state machine…');
    const approval: LocalApproval = await startLocalApproval({
      dynamodbEndpoint: dynamoDb.endpoint,
      tableName: TABLE_NAME,
      outboxDir,
      linkBaseUrl: `${baseUrl}/approvals`,
      ...(options.context ? { context: options.context } : {}),
      onError: (error) => log(`approval step failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    stops.push(() => approval.close());

    // Imported once the environment is set: the functions read it when first loaded, as on Lambda.
    const { approvalResumer } = await import('../../functions/lib/approval-runtime.ts');
    const resumeApproval = approvalResumer();
    const ingestion = await createLocalIngestion({
      dynamodbEndpoint: dynamoDb.endpoint,
      tableName: TABLE_NAME,
      objectsDir: join(options.dataDir, 'objects'),
      ...(resumeApproval ? { resumeApproval } : {}),
    });
    stops.push(() => ingestion.close());
    await ingestion.resumeUnfinished();

    const signingKey = devSigningKey(options.signingKeyPath);
    const gateway = createLocalApiGateway({
      signingKey,
      routes: [...API_ROUTES, ...APPROVAL_LINK_ROUTES],
      // The presigned PUT's stand-in: the file is stored and its analysis starts, as S3's event starts
      // it on AWS. A failure (DynamoDB Local down) is the gateway's 503, never a silent 200.
      receiveUpload: ingestion.ingestObject,
      uploadSigningKey: readOrCreateSecretKey(uploadSigningKeyPath),
    });
    const webUi = createWebUi({
      // The signed-in person's own token, short-lived: the upload page calls the API as them.
      uploadToken: (principal) =>
        mintDevToken(
          {
            role: principal.role,
            subject: principal.subject,
            ...(principal.establishmentId ? { establishment: principal.establishmentId } : {}),
            ...(principal.email ? { email: principal.email } : {}),
            seconds: UPLOAD_PAGE_TOKEN_SECONDS,
          },
          signingKey,
        ),
      outboxDir,
    });
    handle = (request, response) => {
      void webUi(request, response).then(
        (handled) => {
          if (!handled) gateway(request, response);
        },
        (error: unknown) => {
          log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
          if (!response.headersSent) response.writeHead(500).end();
        },
      );
    };
    return { baseUrl, dataDir: options.dataDir, outboxDir, ingest: ingestion.ingest, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Deletes the local data (DynamoDB, uploads, outbox); refused while a stack runs on it. */
export function resetLocalData(dataDir: string): void {
  const running = runningStack(dataDir);
  if (running) throw new AlreadyRunningError(running.pid, running.baseUrl);
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * One server per address, all with the same listener. ::1 is skipped where this machine has no
 * IPv6 loopback; any other failure (the port taken) stops the start.
 */
async function listen(port: number, hosts: readonly string[], listener: RequestListener): Promise<Server[]> {
  const servers: Server[] = [];
  try {
    for (const host of hosts) {
      const server = await listenOn(port, host, listener).catch((error: NodeJS.ErrnoException) => {
        if (host === '::1' && (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT')) return null;
        throw error;
      });
      if (server) servers.push(server);
    }
    return servers;
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
}

function listenOn(port: number, host: string, listener: RequestListener): Promise<Server> {
  // Idle connections are kept longer than clients keep theirs (Node's fetch: 4 s), so a client never
  // sends on a connection the server is closing (ECONNRESET).
  const server = createServer({ keepAliveTimeout: 65_000 }, listener);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
