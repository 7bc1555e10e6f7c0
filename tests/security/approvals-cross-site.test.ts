import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ApprovalChain } from '../../shared/domain/approval.ts';
import { isCrossSiteRequest } from '../../shared/domain/approval-links.ts';
import { submitForApproval } from '../../shared/usecases/approval/run-approval.ts';
import { type LinkHandler, linkEvent, linksOf, startApprovalFlow } from '../helpers/approval-flow.ts';
import { type ApprovalFlow, person, requestTo, storePlanWithChain } from './approvals-fixtures.ts';

/**
 * A link's POST decides only when it comes from the link's own page (or from no browser page at
 * all): a form on another site that posts to a link it learnt (a forwarded email, a leaked URL)
 * gets a plain 403 and decides nothing. Through the link handler on the local flow.
 */
let flow: ApprovalFlow;
let handler: LinkHandler;

beforeAll(async () => {
  flow = await startApprovalFlow({ dynamodbEndpoint: inject('dynamodbEndpoint') });
  handler = (await import('../../functions/approval-link.ts')).handler as unknown as LinkHandler;
}, 60_000);

afterAll(() => flow?.stop());

const ann = person('Ann Approver');
const chain: ApprovalChain = { stages: [{ name: 'Governor', rule: 'any', approvers: [ann] }], planOwners: [] };

/** A POST of the link's form with the given browser headers. */
function postFrom(url: string, headers: Record<string, string>) {
  const event = linkEvent('POST', url, { decision: 'approve' });
  event.headers = { ...event.headers, ...headers };
  return handler(event, {} as never);
}

async function waitingLink(name: string): Promise<{ planId: string; url: string }> {
  const { planId, establishment } = await storePlanWithChain(flow, name, chain);
  await submitForApproval(flow.deps, planId);
  return { planId, url: linksOf(await requestTo(flow, establishment, ann)).approve };
}

describe('a cross-site POST to an approval link', () => {
  it('is refused with a plain 403 whichever header gives it away, decides nothing, and leaves the link working', async () => {
    const { planId, url } = await waitingLink('Cross Site');
    const linkId = new URL(url).pathname.split('/').pop()!.split('.')[0]!;
    const refused: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' },
      { 'sec-fetch-site': 'same-site', origin: 'https://other.localhost:3000' },
      { origin: 'https://attacker.example' },
      // A sandboxed frame or a data: page sends an opaque origin.
      { origin: 'null' },
    ];
    for (const headers of refused) {
      const page = await postFrom(url, headers);
      expect(page.statusCode, JSON.stringify(headers)).toBe(403);
      expect(page.body).toContain('This form was sent from another site');
      expect(page.body).toContain('Nothing was decided');
      expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    }
    expect(await flow.approvals.listAudit(planId)).toEqual([]);
    expect((await flow.approvals.getLink(linkId))?.usedAt).toBeNull();
    expect((await flow.approvals.getStage(planId, 1, 1, 0))?.decisions).toEqual([]);

    // The link's own page (Chromium sends `Origin: null` there, because of its no-referrer policy, and `Sec-Fetch-Site: same-origin`).
    const own = await postFrom(url, { 'sec-fetch-site': 'same-origin', origin: 'null' });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('now approved');
  });

  it('is not confused with a POST from no browser page, or from a browser that names the link\'s own origin', async () => {
    const bare = await waitingLink('No Headers');
    expect((await postFrom(bare.url, {})).statusCode).toBe(200);
    const sameOrigin = await waitingLink('Same Origin');
    expect((await postFrom(sameOrigin.url, { origin: 'http://localhost:3000' })).statusCode).toBe(200);
    const typed = await waitingLink('User Typed');
    expect((await postFrom(typed.url, { 'sec-fetch-site': 'none' })).statusCode).toBe(200);
  });

  it('GET (the link opened from the email, from any site) still shows the confirmation page', async () => {
    const { url } = await waitingLink('Opened Elsewhere');
    const event = linkEvent('GET', url);
    event.headers = { ...event.headers, 'sec-fetch-site': 'cross-site' };
    expect((await handler(event, {} as never)).statusCode).toBe(200);
  });
});

describe('isCrossSiteRequest', () => {
  const host = 'api.example.gov.uk';
  it.each([
    [{ secFetchSite: 'cross-site', origin: null, host }, true],
    [{ secFetchSite: 'same-site', origin: null, host }, true],
    [{ secFetchSite: 'same-origin', origin: 'null', host }, false],
    [{ secFetchSite: 'none', origin: null, host }, false],
    [{ secFetchSite: null, origin: 'https://api.example.gov.uk', host }, false],
    [{ secFetchSite: null, origin: 'https://API.example.gov.uk', host: 'API.EXAMPLE.GOV.UK' }, false],
    [{ secFetchSite: null, origin: 'https://evil.example', host }, true],
    [{ secFetchSite: null, origin: 'null', host }, true],
    [{ secFetchSite: null, origin: 'not a url', host }, true],
    [{ secFetchSite: null, origin: null, host }, false],
  ])('%o → %s', (site, crossSite) => {
    expect(isCrossSiteRequest(site)).toBe(crossSite);
  });
});
