/**
 * Benchmark: the query API's read routes through the local API Gateway twin, with 200 synthetic
 * plans × 70 items × 3 actions stored in DynamoDB Local (in memory). For each route: wall-clock
 * latency of one HTTP call (p50, p95, max; 20 warm-up calls, then 200 calls one at a time over
 * varied ids), and the DynamoDB requests each call made (every command the handlers' clients send,
 * counted by a middleware on those clients; a Query is one result page). `/actions` makes two: its
 * Query and one BatchGetItem of the page's plans (only their current revisions' actions are listed,
 * whatever a lagging index shows; docs/data-model.md), still within the target of at most 3.
 *
 * Prints one JSON line for the load, then one per route (stdout, read by bench/run.ts), and a
 * table on stderr.
 *
 *   npx tsx bench/api.ts
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiDependencies, resetApiDependencies } from '../functions/lib/api-runtime.ts';
import { approvalApiDependencies, resetApprovalApiDependencies } from '../functions/lib/approval-runtime.ts';
import { mintDevToken } from '../infra/local/dev-tokens.ts';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { createLocalApiGateway, setLocalApiEnvironment } from '../infra/local/local-api-gateway.ts';
import { createDocumentClient, createTable } from '../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore, establishmentIdOf } from '../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import type { ApprovalChain } from '../shared/domain/approval.ts';
import type { Action, Decision, ItemKind, Plan, PlanFormat, PlanItem } from '../shared/domain/plan.ts';

const PLANS = 200;
const ITEMS_PER_PLAN = 70;
const ACTIONS_PER_ITEM = 3;
const ESTABLISHMENTS = 40;
const LOAD_CONCURRENCY = 8;
const WARM_UP_CALLS = 20;
const MEASURED_CALLS = 200;
const TABLE_NAME = 'bench-api';
const STAFF_SUBJECT = 'bench-staff';

const OWNERS = [
  'Head of Safety', 'Head of Residence', 'Head of Healthcare', 'Head of Security', 'Head of Reducing Reoffending',
  'Head of Learning and Skills', 'Head of Operations', 'Head of Offender Management', 'Head of Finance',
  'Head of Equalities', 'Head of Resettlement', 'Head of Industries', 'Head of Catering', 'Head of Estates',
  'Head of Psychology', 'Head of Substance Misuse', 'Head of Chaplaincy', 'Head of Family Services', 'Deputy Governor',
  'Governor', 'Safer Custody Manager', 'Activities Hub Manager', 'Security Manager', 'Residential Governor',
  'Healthcare Manager', 'Education Manager', 'Gym Manager', 'Business Hub Manager', 'OMU Manager', 'Prison Group Director',
];
const SECTIONS = ['Safeguarding', 'Respect', 'Purposeful activity', 'Rehabilitation and release planning', 'Daily life'];
const KINDS: Record<PlanFormat, readonly ItemKind[]> = {
  'agreed-2018': ['main_recommendation', 'recommendation', 'recommendation', 'housekeeping'],
  'accepted-2015': ['main_recommendation', 'recommendation', 'recommendation', 'housekeeping'],
  'concerns-2023': ['priority_concern', 'key_concern', 'key_concern'],
};
const DECISIONS: Record<PlanFormat, readonly (Decision | null)[]> = {
  'agreed-2018': ['agreed', 'agreed', 'agreed', 'partly_agreed', 'not_agreed'],
  'accepted-2015': ['accepted', 'accepted', 'accepted_subject_to_resources', 'rejected'],
  'concerns-2023': [null],
};
const UNDATED_TARGETS = ['Ongoing', 'Complete', 'Completed and Ongoing', '18-24 months post Royal Assent'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WORDS =
  'the establishment should ensure that prisoners are able to access regular time out of cell and that staff ' +
  'engage with them consistently while managers monitor outcomes through a documented quality assurance process';

// ─── Synthetic plans ──────────────────────────────────────────────────────────────────────────

/** mulberry32: the same plans on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rng = random(20_240_531);
const pick = <T>(values: readonly T[]): T => values[Math.floor(rng() * values.length)]!;
const between = (low: number, high: number) => low + Math.floor(rng() * (high - low + 1));
const pad2 = (value: number) => String(value).padStart(2, '0');
const sentence = (words: number) => WORDS.split(' ').slice(0, words).join(' ');

function target(): Action['targets'][number] {
  if (rng() < 0.15) return { raw: pick(UNDATED_TARGETS), due: null };
  const year = between(2016, 2028);
  const month = between(1, 12);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { raw: `${MONTHS[month - 1]} ${year}`, due: `${year}-${pad2(month)}-${pad2(last)}` };
}

function action(): Action {
  const owners = [pick(OWNERS)];
  if (rng() < 0.3) {
    const second = pick(OWNERS);
    if (second !== owners[0]) owners.push(second);
  }
  return { text: `Action: ${sentence(between(12, 30))}.`, owners, targets: rng() < 0.2 ? [target(), target()] : [target()] };
}

function plan(index: number): Plan {
  const establishmentNumber = (index % ESTABLISHMENTS) + 1;
  const establishment = `HMP Name${pad2(establishmentNumber)}`;
  // Five plans per establishment, each published in its own year-slot of 2015–2026 (unique plan ids).
  const slot = Math.floor(index / ESTABLISHMENTS);
  const year = 2015 + slot * 2 + between(0, 1);
  const published = `${year}-${pad2(between(1, 12))}-${pad2(between(1, 28))}`;
  const format: PlanFormat = year >= 2023 ? 'concerns-2023' : year >= 2018 ? 'agreed-2018' : 'accepted-2015';
  const items: PlanItem[] = Array.from({ length: ITEMS_PER_PLAN }, (_, itemIndex) => ({
    ref: `${Math.floor(itemIndex / 10) + 1}.${itemIndex + 1}`,
    kind: pick(KINDS[format]),
    addressee: rng() < 0.2 ? 'HMPPS and the Governor' : null,
    section: format === 'concerns-2023' ? null : SECTIONS[Math.floor(itemIndex / 14)]!,
    text: `${sentence(between(15, 30))}.`,
    decision: pick(DECISIONS[format]),
    actions: Array.from({ length: ACTIONS_PER_ITEM }, action),
  }));
  return {
    source: `${establishmentIdOf(establishment)}-${published}.pdf`,
    establishment,
    format,
    inspection: null,
    reportPublished: published,
    planSubmitted: null,
    items,
    summary: null,
    warnings: [],
  };
}

// ─── DynamoDB request counting ────────────────────────────────────────────────────────────────

/** The commands sent since the last reset, by command name ("QueryCommand", "GetCommand"…). */
const sent = new Map<string, number>();

function countRequests(client: DynamoDBDocumentClient, name: string): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      sent.set(command, (sent.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name },
  );
}

/** The approval routes' client: their stores hold it in a field TypeScript calls private; null when it is not there. */
function approvalClient(): DynamoDBDocumentClient | null {
  const client = (approvalApiDependencies().approvals as unknown as { client?: DynamoDBDocumentClient }).client;
  return client?.middlewareStack ? client : null;
}

// ─── Measuring ────────────────────────────────────────────────────────────────────────────────

interface RouteBench {
  route: string;
  /** The path of the i-th call. */
  path: (i: number) => string;
  token: string | undefined;
}

interface RouteFigures {
  route: string;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  maxDynamoDbRequests: number;
  maxQueryPages: number;
  requestsPerCall: string;
  /** The fewest records a JSON list page held (items, plans, actions…); absent for other bodies. */
  minPageItems?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function measure(baseUrl: string, bench: RouteBench): Promise<RouteFigures> {
  const call = async (i: number) => {
    sent.clear();
    const started = performance.now();
    const response = await fetch(baseUrl + bench.path(i), {
      headers: bench.token ? { authorization: `Bearer ${bench.token}` } : {},
    });
    const body = await response.text();
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`${bench.route} (${bench.path(i)}): HTTP ${response.status} ${body.slice(0, 300)}`);
    const listed = /json/.test(response.headers.get('content-type') ?? '') ? (JSON.parse(body) as { items?: unknown }).items : undefined;
    return { ms, requests: new Map(sent), pageItems: Array.isArray(listed) ? listed.length : undefined };
  };
  for (let i = 0; i < WARM_UP_CALLS; i++) await call(i);
  const times: number[] = [];
  let maxRequests = 0;
  let maxQueries = 0;
  let minPageItems: number | undefined;
  const shapes = new Map<string, number>();
  for (let i = 0; i < MEASURED_CALLS; i++) {
    const { ms, requests, pageItems } = await call(WARM_UP_CALLS + i);
    times.push(ms);
    if (pageItems !== undefined) minPageItems = Math.min(minPageItems ?? pageItems, pageItems);
    const total = [...requests.values()].reduce((a, b) => a + b, 0);
    maxRequests = Math.max(maxRequests, total);
    maxQueries = Math.max(maxQueries, requests.get('QueryCommand') ?? 0);
    const shape = [...requests].sort().map(([name, count]) => `${count}×${name.replace(/Command$/, '')}`).join('+') || 'none';
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  times.sort((a, b) => a - b);
  return {
    route: bench.route,
    calls: MEASURED_CALLS,
    p50Ms: round(percentile(times, 0.5)),
    p95Ms: round(percentile(times, 0.95)),
    maxMs: round(times[times.length - 1]!),
    maxDynamoDbRequests: maxRequests,
    maxQueryPages: maxQueries,
    requestsPerCall: [...shapes].map(([shape, count]) => (shapes.size > 1 ? `${shape} (${count})` : shape)).join(', '),
    ...(minPageItems !== undefined ? { minPageItems } : {}),
  };
}

async function pool<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

// ─── The run ──────────────────────────────────────────────────────────────────────────────────

const startup = performance.now();
const dynamoDb = await startDynamoDbLocal();
const dynamoDbStartupMs = Math.round(performance.now() - startup);
const loader = createDocumentClient({ region: 'local', endpoint: dynamoDb.endpoint });
let server: Server | undefined;
let approvals: DynamoDBDocumentClient | null = null;
try {
  await createTable(loader, TABLE_NAME);
  const signingKey = new Uint8Array(randomBytes(32));
  server = createServer(createLocalApiGateway({ signingKey }));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setLocalApiEnvironment({ dynamodbEndpoint: dynamoDb.endpoint, tableName: TABLE_NAME, gatewayUrl: baseUrl });
  resetApiDependencies();
  resetApprovalApiDependencies();
  countRequests(apiDependencies().client, 'benchCountApiRequests');
  approvals = approvalClient();
  if (approvals) countRequests(approvals, 'benchCountApprovalRequests');

  // Load: each plan's upload record, then its revision, 8 at a time.
  const plans = new DynamoPlanStore({ client: loader, tableName: TABLE_NAME });
  const uploads = new DynamoUploadStore({ client: loader, tableName: TABLE_NAME });
  const generated = Array.from({ length: PLANS }, (_, i) => plan(i));
  const planIds: string[] = [];
  const uploadIds: string[] = [];
  const loadStarted = performance.now();
  await pool(PLANS, LOAD_CONCURRENCY, async (i) => {
    const content = generated[i]!;
    const uploadId = randomUUID();
    const storedAt = '2026-01-10T10:00:00.000Z';
    const key = `uploads/plans/${uploadId}.pdf`;
    await uploads.create({
      uploadId,
      kind: 'plan',
      object: { bucket: 'uploads', key },
      fileName: content.source,
      sizeBytes: 1_000_000,
      status: 'analysing',
      createdAt: storedAt,
      updatedAt: storedAt,
    });
    const contentSha256 = createHash('sha256').update(JSON.stringify(content)).digest('hex');
    const establishmentId = establishmentIdOf(content.establishment);
    const uploadedBy = { subject: STAFF_SUBJECT, role: 'staff' as const, email: null, establishmentId };
    const stored = await plans.storeRevision({ plan: content, uploadId, contentSha256, storedAt, uploadedBy });
    // The request POST /uploads would have made, so GET /uploads/{id} finds the upload by its key.
    await uploads.createRequest({
      uploadId,
      kind: 'plan',
      object: { bucket: 'uploads', key },
      requestedBy: STAFF_SUBJECT,
      establishmentId,
      role: 'staff',
      email: null,
      createdAt: storedAt,
      urlExpiresAt: '2026-01-10T10:15:00.000Z',
    });
    planIds[i] = stored.planId;
    uploadIds[i] = uploadId;
  });
  const loadSeconds = Math.round((performance.now() - loadStarted) / 10) / 100;
  const actions = generated.reduce((sum, p) => sum + p.items.reduce((n, item) => n + item.actions.length, 0), 0);
  const establishmentIds = [...new Set(generated.map((p) => establishmentIdOf(p.establishment)!))];
  if (approvals) {
    const chain: ApprovalChain = {
      stages: [{ name: 'Governor', rule: 'any', approvers: [{ name: 'Governor', email: 'governor@example.gov.uk' }] }],
      planOwners: [{ name: 'Head of Safety', email: 'safety@example.gov.uk' }],
    };
    for (const id of establishmentIds) await approvalApiDependencies().approvals.putChain(id, chain, 'bench', '2026-01-10T10:00:00.000Z');
  }
  process.stdout.write(
    `${JSON.stringify({ plans: PLANS, items: PLANS * ITEMS_PER_PLAN, actions, loadSeconds, loadConcurrency: LOAD_CONCURRENCY, dynamoDbStartupMs })}\n`,
  );
  process.stderr.write(`Loaded ${PLANS} plans, ${PLANS * ITEMS_PER_PLAN} items, ${actions} actions in ${loadSeconds} s (${LOAD_CONCURRENCY} at a time)\n`);

  const viewer = await mintDevToken({ role: 'viewer' }, signingKey);
  // The Governor of every establishment's chain: tied to each by address, the approver's path of
  // the audit and approvers routes (its extra chain and run reads) is the one measured.
  const approver = await mintDevToken({ role: 'approver', subject: 'bench-governor', email: 'governor@example.gov.uk' }, signingKey);
  const staff = await mintDevToken({ role: 'staff', establishment: establishmentIds[0]!, subject: STAFF_SUBJECT }, signingKey);
  const planId = (i: number) => planIds[(i * 7) % PLANS]!;
  const benches: RouteBench[] = [
    { route: 'GET /plans', path: () => '/plans', token: viewer },
    { route: 'GET /plans?establishment=', path: (i) => `/plans?establishment=${establishmentIds[i % establishmentIds.length]}`, token: viewer },
    { route: 'GET /plans/{id}', path: (i) => `/plans/${planId(i)}`, token: viewer },
    { route: 'GET /plans/{id}/items?limit=100', path: (i) => `/plans/${planId(i)}/items?limit=100`, token: viewer },
    { route: 'GET /plans/{id}/items?format=csv', path: (i) => `/plans/${planId(i)}/items?format=csv&limit=100`, token: viewer },
    { route: 'GET /actions?owner=Head of Safety&limit=100', path: () => `/actions?owner=${encodeURIComponent('Head of Safety')}&limit=100`, token: viewer },
    { route: 'GET /actions?overdue=true&limit=100', path: () => '/actions?overdue=true&limit=100', token: viewer },
    { route: 'GET /actions?dueBefore=2020-01-01&limit=100', path: () => '/actions?dueBefore=2020-01-01&limit=100', token: viewer },
    { route: 'GET /establishments', path: () => '/establishments', token: viewer },
    { route: 'GET /uploads/{id} (staff)', path: (i) => `/uploads/${uploadIds[(i * 7) % PLANS]}`, token: staff },
    { route: 'GET /openapi.json', path: () => '/openapi.json', token: undefined },
    ...(approvals
      ? [
          { route: 'GET /plans/{id}/audit (approver)', path: (i: number) => `/plans/${planId(i)}/audit`, token: approver },
          { route: 'GET /establishments/{id}/approvers (approver)', path: (i: number) => `/establishments/${establishmentIds[i % establishmentIds.length]}/approvers`, token: approver },
        ]
      : []),
  ];
  if (!approvals) process.stderr.write('The approval routes are not measured: their DynamoDB client could not be reached.\n');

  const results: RouteFigures[] = [];
  for (const bench of benches) {
    const figures = await measure(baseUrl, bench);
    results.push(figures);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }

  const width = Math.max(...results.map((r) => r.route.length));
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const lines = [
    `${'route'.padEnd(width)}  p50 ms  p95 ms  max ms  DDB req/call (max)  p95<50ms  ≤3 req  per call [min records per page]`,
    ...results.map((r) =>
      [
        r.route.padEnd(width),
        r.p50Ms.toFixed(1).padStart(6),
        r.p95Ms.toFixed(1).padStart(6),
        r.maxMs.toFixed(1).padStart(6),
        String(r.maxDynamoDbRequests).padStart(18),
        verdict(r.p95Ms < 50).padStart(8),
        verdict(r.maxDynamoDbRequests <= 3).padStart(6),
        ` ${r.requestsPerCall}${r.minPageItems !== undefined ? ` [${r.minPageItems}]` : ''}`,
      ].join('  '),
    ),
  ];
  process.stderr.write(`\n${lines.join('\n')}\n`);
  const multiPage = results.filter((r) => r.maxQueryPages > 1);
  process.stderr.write(
    multiPage.length
      ? `Routes with more than one Query (result page) in one call: ${multiPage.map((r) => `${r.route} (${r.maxQueryPages})`).join(', ')}\n`
      : 'No call needed more than one Query result page.\n',
  );
} finally {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  resetApiDependencies();
  approvals?.destroy();
  resetApprovalApiDependencies();
  loader.destroy();
  await dynamoDb.stop();
}
