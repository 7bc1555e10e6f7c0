import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { startLocalApproval } from '../../infra/local/local-approval.ts';
import { DynamoApprovalStore } from '../../shared/adapters/dynamodb/dynamodb-approval-store.ts';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { readOutbox, type OutboxEmail } from '../../shared/adapters/local/outbox-email-sender.ts';

/** An API Gateway (HTTP API, payload 2.0) event for the approval link route, as API Gateway sends it. */
export function linkEvent(
  method: 'GET' | 'POST',
  url: string,
  form?: Record<string, string>,
  client: { ip?: string; userAgent?: string } = {},
): APIGatewayProxyEventV2 {
  const parsed = new URL(url);
  const token = decodeURIComponent(parsed.pathname.split('/').pop() ?? '');
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return {
    version: '2.0',
    routeKey: `${method} /approvals/{token}`,
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.slice(1),
    headers: { host: parsed.host, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(parsed.search ? { queryStringParameters: Object.fromEntries(parsed.searchParams) } : {}),
    pathParameters: { token },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: parsed.host,
      domainPrefix: 'local',
      http: { method, path: parsed.pathname, protocol: 'HTTP/1.1', sourceIp: client.ip ?? '192.0.2.10', userAgent: client.userAgent ?? 'vitest' },
      requestId: `request-${Math.random().toString(16).slice(2)}`,
      routeKey: `${method} /approvals/{token}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

export type LinkHandler = (event: APIGatewayProxyEventV2, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

/** Waits until the outbox holds `count` emails matching the filter (the flow runs asynchronously). */
export async function waitForEmails(directory: string, filter: (email: OutboxEmail) => boolean, count = 1, timeoutMs = 15_000): Promise<OutboxEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const emails = (await readOutbox(directory)).filter(filter);
    if (emails.length >= count) return emails.reverse();
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} email(s); have ${emails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The approve and reject links of an approval email. */
export function linksOf(email: OutboxEmail): { approve: string; reject: string } {
  const approve = email.links.find((link) => link.includes('/approvals/') && link.endsWith('decision=approve'));
  const reject = email.links.find((link) => link.includes('/approvals/') && link.endsWith('decision=reject'));
  if (!approve || !reject) throw new Error(`Email "${email.subject}" has no approve and reject links`);
  return { approve, reject };
}

/**
 * The approval flow on the local stack for one test file: a table in DynamoDB Local, the
 * synthesised state machine on the local runner (with CDK context overrides, e.g. short timers),
 * an outbox folder, and the approval use-cases' dependencies and link handler loaded once the
 * environment is set, as a Lambda loads its configuration on start.
 */
export async function startApprovalFlow(options: { dynamodbEndpoint: string; context?: Record<string, unknown>; linkBaseUrl?: string }) {
  const tableName = `approval-${randomUUID()}`;
  const client = createDocumentClient({ region: 'local', endpoint: options.dynamodbEndpoint });
  await createTable(client, tableName);
  const store = { client, tableName };
  const outbox = mkdtempSync(join(tmpdir(), 'outbox-'));
  const errors: unknown[] = [];
  const local = await startLocalApproval({
    dynamodbEndpoint: options.dynamodbEndpoint,
    tableName,
    outboxDir: outbox,
    linkBaseUrl: options.linkBaseUrl ?? 'http://localhost:3000/approvals',
    ...(options.context ? { context: options.context } : {}),
    onError: (error) => errors.push(error),
  });
  const deps = await (await import('../../functions/lib/approval-runtime.ts')).approvalDependencies();
  const handleLink = (await import('../../functions/approval-link.ts')).handler as unknown as LinkHandler;
  return {
    local,
    tableName,
    deps,
    outbox,
    /** Errors the flow's functions threw (expected to stay empty). */
    errors,
    plans: new DynamoPlanStore(store),
    approvals: new DynamoApprovalStore(store),
    uploads: new DynamoUploadStore(store),
    get: (url: string) => handleLink(linkEvent('GET', url), {} as never),
    post: (url: string, form: Record<string, string>) => handleLink(linkEvent('POST', url, form), {} as never),
    async stop() {
      await local.close();
      client.destroy();
      rmSync(outbox, { recursive: true, force: true });
    },
  };
}
