import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { join } from 'node:path';
import { API_ROUTES, APPROVAL_LINK_ROUTES } from '../../functions/api/routes.ts';
import { createLocalApiGateway, setLocalApiEnvironment } from './local-api-gateway.ts';
import { devSigningKey, mintDevToken } from './dev-tokens.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalApproval, startLocalApproval } from './local-approval.ts';
import { createLocalIngestion } from './local-ingestion.ts';
import { AlreadyRunningError, claimLock, runningStack } from './stack-lock.ts';
import { createWebUi } from './web-ui.ts';
import type { UploadKind } from '../../shared/ports/upload-store.ts';
import type { CompleteAnalysisOutcome } from '../../shared/usecases/complete-analysis.ts';

export { AlreadyRunningError, runningStack } from './stack-lock.ts';

export const TABLE_NAME = 'action-plans';

export interface LocalStackOptions {
  /** Where DynamoDB's data, uploaded files and sent emails are kept between runs. */
  dataDir: string;
  port: number;
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
  mkdirSync(options.dataDir, { recursive: true });
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
    const server = await listen(options.port, (request, response) => handle(request, response));
    stops.push(() => closeServer(server));

    log('Starting DynamoDB Local…');
    const dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ dataDir: join(options.dataDir, 'dynamodb') });
    stops.push(() => dynamoDb.stop());

    setLocalApiEnvironment({ dynamodbEndpoint: dynamoDb.endpoint, tableName: TABLE_NAME, gatewayUrl: baseUrl });
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
      // The presigned PUT's stand-in: the file is stored and its analysis starts, as S3's event starts it on AWS.
      receiveUpload: async (key, bytes) => {
        await ingestion.ingestObject(key, bytes).catch((error: unknown) => {
          log(`ingestion of ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
        });
      },
    });
    const webUi = createWebUi({
      uploadToken: () => mintDevToken({ role: 'admin', subject: 'local-ui' }, signingKey),
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

function listen(port: number, listener: RequestListener): Promise<Server> {
  // Idle connections are kept longer than clients keep theirs (Node's fetch: 4 s), so a client never
  // sends on a connection the server is closing (ECONNRESET).
  const server = createServer({ keepAliveTimeout: 65_000 }, listener);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    server.listen(port, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
