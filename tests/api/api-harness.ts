import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { inject } from 'vitest';
import { OPENAPI_DOCUMENT } from '../../functions/api/openapi.ts';
import { type ApiRoute, API_ROUTES } from '../../functions/api/routes.ts';
import { resetApiDependencies } from '../../functions/lib/api-runtime.ts';
import { mintDevToken } from '../../infra/local/dev-tokens.ts';
import { createLocalApiGateway, setLocalApiEnvironment } from '../../infra/local/local-api-gateway.ts';
import { createDocumentClient, createTable } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { readOrCreateSecretKey } from '../../shared/adapters/local/local-secret-key.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import type { Role } from '../../shared/domain/access.ts';
import type { Plan } from '../../shared/domain/plan.ts';
import type { Report } from '../../shared/domain/report.ts';
import { storePlanRevision, storeReportDraft } from '../helpers/stored-plans.ts';

/**
 * The query API as a client sees it locally: a fresh table in DynamoDB Local, the local gateway (the
 * same route table and handlers as on AWS) on a free port, dev tokens, and every response checked
 * against the OpenAPI document.
 */
export async function startApi(options: { receiveUpload?: (key: string, bytes: Uint8Array) => Promise<unknown>; routes?: readonly ApiRoute[] } = {}) {
  const tableName = `api-${randomUUID()}`;
  const endpoint = inject('dynamodbEndpoint');
  const client = createDocumentClient({ region: 'local', endpoint });
  await createTable(client, tableName);
  const signingKey = new Uint8Array(randomBytes(32));
  const keys = mkdtempSync(join(tmpdir(), 'api-keys-'));
  const uploadSigningKeyPath = join(keys, 'upload-signing-key');
  const uploadSigningKey = readOrCreateSecretKey(uploadSigningKeyPath);
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, createLocalApiGateway({ signingKey, uploadSigningKey, ...options }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setLocalApiEnvironment({ dynamodbEndpoint: endpoint, tableName, gatewayUrl: baseUrl, uploadSigningKeyPath });
  resetApiDependencies();
  const plans = new DynamoPlanStore({ client, tableName });
  const uploads = new DynamoUploadStore({ client, tableName });
  const contract = contractChecker();

  async function token(role: Role, establishment?: string, subject?: string, email?: string): Promise<string> {
    return mintDevToken({ role, ...(establishment ? { establishment } : {}), ...(subject ? { subject } : {}), ...(email ? { email } : {}) }, signingKey);
  }

  async function request(
    method: string,
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const body: unknown = /json/.test(contentType) && text ? JSON.parse(text) : text;
    contract.check(method, path, response.status, contentType, body);
    return { status: response.status, headers: response.headers, body: body as any, text }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  async function seedPlan(plan: Plan, storedAt = '2026-01-10T10:00:00.000Z') {
    return storePlanRevision({ uploads, plans }, plan, { storedAt });
  }

  async function seedDraft(report: Report, storedAt = '2026-01-10T10:00:00.000Z') {
    return storeReportDraft({ uploads, plans }, report, { storedAt });
  }

  async function stop() {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    resetApiDependencies();
    client.destroy();
    rmSync(keys, { recursive: true, force: true });
  }

  return { baseUrl, tableName, client, plans, uploads, signingKey, uploadSigningKey, token, request, seedPlan, seedDraft, contract, stop };
}

export type Api = Awaited<ReturnType<typeof startApi>>;

/** Validates each response against the OpenAPI operation it answers, and records which routes and statuses were seen. */
function contractChecker() {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(OPENAPI_DOCUMENT as object, 'openapi.json');
  const routes = API_ROUTES.map((route) => ({
    route,
    pattern: new RegExp(`^${route.path.replace(/\./g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
  }));
  const seen = new Set<string>();
  const failures: string[] = [];
  const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

  function check(method: string, url: string, status: number, contentType: string, body: unknown): void {
    const path = url.split('?')[0]!;
    const match = routes.find(({ route, pattern }) => route.method === method && pattern.test(path));
    if (!match) return;
    const { route } = match;
    const operation = (OPENAPI_DOCUMENT.paths[route.path] as Record<string, { responses: Record<string, unknown> }> | undefined)?.[
      method.toLowerCase()
    ];
    if (!operation) {
      failures.push(`${method} ${route.path}: not in the OpenAPI document`);
      return;
    }
    const documented = operation.responses[String(status)] as { $ref?: string; content?: Record<string, unknown> } | undefined;
    if (!documented) {
      failures.push(`${method} ${route.path}: status ${status} is not documented`);
      return;
    }
    const mediaType = contentType.split(';')[0]!.trim();
    const base = documented.$ref
      ? `${documented.$ref.replace('#/', 'openapi.json#/')}/content/${escape(mediaType)}/schema`
      : `openapi.json#/paths/${escape(route.path)}/${method.toLowerCase()}/responses/${status}/content/${escape(mediaType)}/schema`;
    const content = documented.$ref
      ? (OPENAPI_DOCUMENT.components.responses[documented.$ref.split('/').pop()!] as { content: Record<string, unknown> }).content
      : documented.content!;
    if (!content[mediaType]) {
      failures.push(`${method} ${route.path} ${status}: ${mediaType} is not documented`);
      return;
    }
    const validate = ajv.getSchema(base) ?? ajv.compile({ $ref: base });
    if (!validate(body)) {
      failures.push(`${method} ${route.path} ${status}: ${ajv.errorsText(validate.errors)}`);
      return;
    }
    seen.add(`${route.method} ${route.path} ${status}`);
  }

  return {
    check,
    failures,
    seen,
    unseen: (statuses: (route: ApiRoute) => number[]) =>
      API_ROUTES.flatMap((route) => statuses(route).map((status) => `${route.method} ${route.path} ${status}`)).filter((key) => !seen.has(key)),
  };
}
