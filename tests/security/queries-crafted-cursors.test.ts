import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebUi } from '../../infra/local/web-ui.ts';
import type { Plan } from '../../shared/domain/plan.ts';
import { type Api, startApi } from '../api/api-harness.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { signInToWebUi } from '../helpers/web-ui-sign-in.ts';

/**
 * Cursors a client made up, through the API on DynamoDB Local: whatever is passed as `cursor` on a
 * paged route, the answer is a 400 problem+json a person can read (never a 500), and no cursor
 * lets a caller page into another partition, another plan, another revision or another query.
 */

let api: Api;
let viewer: string;
const liverpool = loadTruth('hmp-liverpool-2018');
const longLartin = loadTruth('hmp-long-lartin-2023');
/** A second Liverpool plan (another inspection), so the establishment's list has two pages. */
const liverpoolLater: Plan = { ...liverpool, source: 'liverpool-2021.pdf', reportPublished: '2021-06-01' };
/** A corrected Liverpool 2018 plan: revision 2 of the same plan, so revision 1's items are history. */
const liverpoolCorrected: Plan = { ...liverpool, source: 'liverpool-2018-corrected.pdf', planSubmitted: '2018-04-01' };

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const unb64 = (text: string) => Buffer.from(text, 'base64url').toString('utf8');

/** The paged routes, each with a query that has a second page, and the partition its cursor belongs to. */
const PAGED = {
  plans: '/plans?limit=1',
  plansOfEstablishment: '/plans?establishment=liverpool&limit=1',
  items: '/plans/liverpool-2018-01-19/items?limit=1',
  actionsByOwner: '/actions?owner=Head%20of%20Residence&limit=1',
  actionsDue: '/actions?dueBefore=2100-01-01&limit=1',
  establishments: '/establishments?limit=1',
} as const;
type Route = keyof typeof PAGED;
const ROUTES = Object.keys(PAGED) as Route[];

const genuine = {} as Record<Route, string>;

async function get(path: string) {
  return api.request('GET', path, { token: viewer });
}

function withCursor(route: Route, cursor: string): string {
  return `${PAGED[route]}&cursor=${encodeURIComponent(cursor)}`;
}

type KeyChange = (key: Record<string, unknown>) => Record<string, unknown>;

/** The store's start key inside `cursor`, changed by `change`, wrapped again in the cursor's envelope. */
function withStartKeyChanged(cursor: string, change: KeyChange): string {
  const envelope = JSON.parse(unb64(cursor)) as Record<string, unknown>;
  const key = JSON.parse(unb64(envelope.c as string)) as Record<string, unknown>;
  return b64(JSON.stringify({ ...envelope, c: b64(JSON.stringify(change({ ...key }))) }));
}

/** A genuine cursor of `route` with its start key changed by `change`. */
function tamperedKey(route: Route, change: KeyChange): string {
  return withStartKeyChanged(genuine[route], change);
}

/** A genuine cursor of `route` with its start key changed by `change` is refused as `expectRefused` says. */
async function expectStartKeyRefused(route: Route, change: KeyChange, what: string) {
  expectRefused(await get(withCursor(route, tamperedKey(route, change))), what);
}

/** A genuine cursor's envelope with its inner cursor replaced. */
function withInner(route: Route, inner: unknown): string {
  const envelope = JSON.parse(unb64(genuine[route])) as Record<string, unknown>;
  return b64(JSON.stringify({ ...envelope, c: inner }));
}

function expectRefused(response: Awaited<ReturnType<typeof get>>, what: string) {
  expect(response.status, `${what}: ${response.text}`).toBe(400);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body.type).toBe('urn:inspection-action-plans:problem:invalid-request');
  // Says the cursor is at fault: in the detail, or as the field at fault.
  expect(`${response.body.detail} ${JSON.stringify(response.body.errors ?? [])}`).toMatch(/cursor/i);
  // A plain message: no exception names, stack frames or DynamoDB wording.
  expect(response.text).not.toMatch(/Exception|ValidationException|ExclusiveStartKey|at \w+ \(|\.ts:\d+/);
}

beforeAll(async () => {
  api = await startApi();
  await api.seedPlan(liverpool, '2026-01-10T10:00:00.000Z');
  await api.seedPlan(longLartin, '2026-01-10T10:00:00.000Z');
  await api.seedPlan(liverpoolLater, '2026-01-11T10:00:00.000Z');
  await api.seedPlan(liverpoolCorrected, '2026-01-12T10:00:00.000Z');
  viewer = await api.token('viewer');
  for (const route of ROUTES) {
    const first = await get(PAGED[route]);
    expect(first.status, `${route}: ${first.text}`).toBe(200);
    expect(first.body.cursor, `${route} has a second page`).toEqual(expect.any(String));
    genuine[route] = first.body.cursor as string;
  }
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('a genuine cursor still pages', () => {
  it.each(ROUTES)('%s', async (route) => {
    const next = await get(withCursor(route, genuine[route]));
    expect(next.status).toBe(200);
  });
});

describe('a cursor that is not one at all', () => {
  it.each(ROUTES)('%s: not base64url', async (route) => {
    expectRefused(await get(withCursor(route, '%%%not base64%%%')), 'percent signs');
    expectRefused(await get(withCursor(route, '!!!!')), 'only characters outside base64url');
    // Node decodes base64 leniently (skipping what is not in the alphabet): a cursor with stray characters is still refused.
    expectRefused(await get(withCursor(route, `${genuine[route].slice(0, 8)}.!*${genuine[route].slice(8)}`)), 'stray characters');
  });

  it.each(ROUTES)('%s: valid base64url, not JSON', async (route) => {
    expectRefused(await get(withCursor(route, b64('hello there, not a cursor'))), 'text');
    expectRefused(await get(withCursor(route, b64('{"q":'))), 'cut JSON');
  });

  it.each(ROUTES)('%s: JSON of the wrong shape', async (route) => {
    for (const json of ['null', '[1,2]', '"a string"', '42', '{}', '{"q":1,"c":2}', '{"q":"x"}', '{"c":"eyJwayI6IngifQ"}']) {
      expectRefused(await get(withCursor(route, b64(json))), json);
    }
  });

  it.each(ROUTES)('%s: the right envelope around an inner cursor of the wrong shape', async (route) => {
    for (const inner of [{}, [], 7, '', '%%%', b64('not json'), b64('null'), b64('[]'), b64('{"pk":1}'), b64('"x"')]) {
      expectRefused(await get(withCursor(route, withInner(route, inner))), JSON.stringify(inner));
    }
  });

  it.each(ROUTES)('%s: a huge cursor', async (route) => {
    expectRefused(await get(withCursor(route, 'A'.repeat(6_000))), '6,000 characters');
    const padded = tamperedKey(route, (key) => ({ ...key, padding: 'x'.repeat(1_500) }));
    expectRefused(await get(withCursor(route, padded)), 'a key with a large extra attribute');
  });
});

describe('a cursor of another query', () => {
  it('is refused on every other paged route', async () => {
    for (const from of ROUTES) {
      for (const to of ROUTES) {
        if (from === to) continue;
        expectRefused(await get(withCursor(to, genuine[from])), `${from} cursor on ${to}`);
      }
    }
  });

  it('is refused on the same route with other filters', async () => {
    expectRefused(await get(`/plans?limit=1&status=parsed&cursor=${genuine.plans}`), 'plans + status');
    expectRefused(await get(`/plans?limit=1&from=2000-01-01&cursor=${genuine.plans}`), 'plans + from');
    expectRefused(await get(`/plans?establishment=long-lartin&limit=1&cursor=${genuine.plansOfEstablishment}`), 'other establishment');
    expectRefused(await get(`/plans/long-lartin-2023-04-12/items?limit=1&cursor=${genuine.items}`), 'other plan');
    expectRefused(await get(`/plans/liverpool-2018-01-19/items?limit=1&kind=recommendation&cursor=${genuine.items}`), 'items + kind');
    expectRefused(await get(`/actions?owner=Governor&limit=1&cursor=${genuine.actionsByOwner}`), 'other owner');
    expectRefused(await get(`/actions?dueBefore=2099-01-01&limit=1&cursor=${genuine.actionsDue}`), 'other due date');
  });
});

describe('a start key outside the partition or range queried', () => {
  it('/plans: another index partition, a sort key past the range, a table key of another record', async () => {
    await expectStartKeyRefused('plans', (key) => ({ ...key, gsi2pk: 'ESTABLISHMENTS' }), 'partition');
    await expectStartKeyRefused('plans', (key) => ({ ...key, gsi2sk: '~~~~' }), 'past the range');
    await expectStartKeyRefused('plans', (key) => ({ ...key, pk: 'PLAN#elsewhere-2020-01-01' }), 'table key of another plan');
    await expectStartKeyRefused('plans', (key) => ({ ...key, sk: 'REVISION#000001' }), 'a revision record');
    await expectStartKeyRefused('plans', (key) => ({ ...key, gsi2sk: 5 }), 'a number');
    await expectStartKeyRefused('plans', ({ gsi2sk: _gone, ...key }) => key, 'a key attribute missing');
  });

  it('/plans?establishment=: another establishment, a date past `to`', async () => {
    const route = 'plansOfEstablishment';
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi1pk: 'ESTABLISHMENT#long-lartin' }), 'partition');
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi1pk: 'ESTABLISHMENT#long-lartin', gsi1sk: '2023-04-12#long-lartin-2023-04-12', pk: 'PLAN#long-lartin-2023-04-12' }), 'another establishment, consistent keys');
    const dated = '/plans?establishment=liverpool&to=2022-01-01&limit=1';
    const first = await get(dated);
    expect(first.body.cursor).toEqual(expect.any(String));
    const past = withStartKeyChanged(first.body.cursor, (key) => ({ ...key, gsi1sk: '2025-01-01#liverpool-2025-01-01', pk: 'PLAN#liverpool-2025-01-01' }));
    expectRefused(await get(`${dated}&cursor=${past}`), 'a date past to');
  });

  it('/plans/{id}/items: another plan, an old revision, a record that is not an item', async () => {
    const route = 'items';
    await expectStartKeyRefused(route, (key) => ({ ...key, pk: 'PLAN#long-lartin-2023-04-12' }), 'another plan');
    await expectStartKeyRefused(route, (key) => ({ ...key, sk: 'REV#000001#ITEM#0001' }), 'revision 1 (history)');
    await expectStartKeyRefused(route, (key) => ({ ...key, sk: 'PLAN' }), 'the plan record');
    await expectStartKeyRefused(route, (key) => ({ ...key, sk: 'AUDIT#2026-01-01#x' }), 'an audit entry');
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi1pk: 'OWNER#governor' }), 'an extra attribute');
  });

  it('/actions?owner=: another owner, another plan’s table key, a date past dueBefore', async () => {
    const route = 'actionsByOwner';
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi1pk: 'OWNER#governor' }), 'another owner');
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi1pk: 'ESTABLISHMENT#liverpool' }), 'another index partition');
    await expectStartKeyRefused(route, (key) => ({ ...key, pk: 'PLAN#long-lartin-2023-04-12' }), 'another plan');
    await expectStartKeyRefused(route, (key) => ({ ...key, sk: 'PLAN' }), 'not an owner entry');
    const dated = '/actions?owner=Head%20of%20Residence&dueBefore=2100-01-01&limit=1';
    const first = await get(dated);
    expect(first.body.cursor).toEqual(expect.any(String));
    const past = withStartKeyChanged(first.body.cursor, (key) => ({ ...key, gsi1sk: '9999-12-31#liverpool-2018-01-19#0001#01' }));
    expectRefused(await get(`${dated}&cursor=${past}`), 'an undated entry past dueBefore');
  });

  it('/actions?dueBefore=: another partition, a date past dueBefore, a table key of another record', async () => {
    const route = 'actionsDue';
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi2pk: 'PLANS' }), 'another partition');
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi2sk: '2200-01-01#x#0001#01' }), 'past dueBefore');
    await expectStartKeyRefused(route, (key) => ({ ...key, sk: 'REV#000001#ITEM#0001' }), 'an item record');
  });

  it('/establishments: another partition, a table key of another record', async () => {
    const route = 'establishments';
    await expectStartKeyRefused(route, (key) => ({ ...key, gsi2pk: 'PLANS' }), 'another partition');
    await expectStartKeyRefused(route, (key) => ({ ...key, pk: 'PLAN#liverpool-2018-01-19', sk: 'PLAN' }), 'a plan record');
  });

  it('every response matched its OpenAPI operation', () => {
    expect(api.contract.failures).toEqual([]);
  });
});

describe('the local web UI’s plan list, which takes the same cursors', () => {
  it('shows a made-up start key as a problem on the page (400), not a crash', async () => {
    const handler = createWebUi({ uploadToken: async () => 't', outboxDir: '/tmp/unused-outbox', now: () => new Date('2026-02-01T00:00:00Z') });
    const server = createServer((request, response) => {
      void handler(request, response).then((handled) => {
        if (!handled) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const first = await api.request('GET', '/plans?limit=1', { token: await api.token('admin') });
      const pastRange = withStartKeyChanged(first.body.cursor, (key) => ({ ...key, gsi2sk: '~~~~' }));
      // The UI's pages need a signed-in person (an admin here, who may list every plan).
      const headers = { cookie: await signInToWebUi(base, { name: 'Ada Admin', role: 'admin' }) };
      const genuinePage = await fetch(`${base}/?cursor=${encodeURIComponent(first.body.cursor)}`, { redirect: 'manual', headers });
      expect(genuinePage.status).toBe(200);
      const page = await fetch(`${base}/?cursor=${encodeURIComponent(pastRange)}`, { redirect: 'manual', headers });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('The cursor is not one this list handed out for this query');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

// Last: it stores another revision of the Liverpool 2018 plan.
describe('an items cursor of a revision that is no longer current', () => {
  it('is refused with a message that says why and what to do', async () => {
    const before = genuine.items;
    await api.seedPlan({ ...liverpool, source: 'liverpool-2018-third.pdf', planSubmitted: '2018-05-01' }, '2026-01-13T10:00:00.000Z');
    const response = await get(withCursor('items', before));
    expectRefused(response, 'revision 2 cursor after revision 3');
    expect(response.body.detail).toBe('The plan has a newer revision (3) than the one this cursor pages (2): start again from the first page');
    const fresh = await get(PAGED.items);
    expect((await get(withCursor('items', fresh.body.cursor))).status).toBe(200);
  });
});
