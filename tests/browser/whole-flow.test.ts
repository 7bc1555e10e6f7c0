import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { fixturePath } from '../helpers/fixtures.ts';

/**
 * The whole flow in a real browser on the real local stack (`npm start`'s): Debian's Chromium,
 * driven by playwright-core (no browser download; scripts/ensure-chromium.sh installs it when it
 * is missing). Sign in as Liverpool's staff, upload the Liverpool plan, see its 72 items and
 * 55 / 10 / 7 decisions, send it for approval, follow each stage's approve link from the outbox,
 * confirm, and see the plan approved.
 * Each step's screenshot goes to test-results/.
 */
const repository = fileURLToPath(new URL('../..', import.meta.url));
const screenshots = join(repository, 'test-results', 'whole-flow');
const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-'));

let stack: LocalStack;
let browser: Browser;
let page: Page;
let planUrl: string;

beforeAll(async () => {
  execFileSync('bash', [join(repository, 'scripts', 'ensure-chromium.sh')], { stdio: 'inherit' });
  mkdirSync(screenshots, { recursive: true });
  stack = await startLocalStack({ dataDir, port: await freePort(), signingKeyPath: join(dataDir, 'dev-signing-key') });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

describe('the whole flow in a browser', () => {
  it('signs in as a member of Liverpool\'s staff, and comes back to the page asked for', async () => {
    await page.goto(`${stack.baseUrl}/ui/upload`);
    await page.waitForURL(/\/ui\/sign-in\?next=%2Fui%2Fupload$/);
    await page.getByLabel('Your name').fill('Sam Staff');
    await page.getByLabel(/^Staff:/).check();
    await page.getByLabel(/Your establishment/).fill('liverpool');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/ui\/upload$/);
    await page.getByText('Signed in as Sam Staff (staff, liverpool)').waitFor();
    await shot('00-signed-in');
  });

  it('uploads the Liverpool plan and follows its analysis to the stored plan', async () => {
    await page.locator('input[type=file]').setInputFiles(fixturePath('action-plans/hmp-liverpool-2018.pdf'));
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('link', { name: 'Open the plan' }).waitFor({ timeout: 90_000 });
    await shot('01-uploaded');
    await page.getByRole('link', { name: 'Open the plan' }).click();
    await page.waitForURL(/\/ui\/plans\//);
    planUrl = page.url();
  }, 120_000);

  it('shows 72 items with 55 agreed, 10 partly agreed and 7 not agreed', async () => {
    const summary = page.locator('#summary');
    await summary.waitFor({ timeout: 10_000 });
    const text = await summary.innerText();
    expect(text).toMatch(/\b72\s+items/);
    expect(text).toMatch(/\b55\s+agreed/);
    expect(text).toMatch(/\b10\s+partly agreed/);
    expect(text).toMatch(/\b7\s+not agreed/);
    expect(await page.locator('.item').count()).toBe(72);
    await shot('02-plan');
  });

  it('sends the plan for approval', async () => {
    await page.getByRole('button', { name: 'Send for approval' }).click();
    await page.getByText('Sent for approval').first().waitFor({ timeout: 10_000 });
    await shot('03-sent-for-approval');
  });

  for (const [step, stage] of [
    [4, 'Governor'],
    [6, 'Prison Group Director'],
  ] as const) {
    it(`lets the ${stage} approve through the link in the outbox, after a confirmation page`, async () => {
      await page.goto(`${stack.baseUrl}/outbox`);
      const email = page.getByRole('link', { name: new RegExp(`Approval needed.*${stage}`) }).first();
      await expect.poll(async () => (await email.count()) > 0 || (await page.reload(), false), { timeout: 30_000 }).toBe(true);
      await email.click();
      await shot(`0${step}-outbox-${stage.toLowerCase().replace(/ /g, '-')}`);
      const approveLink = await page.locator('a[href*="/approvals/"][href$="decision=approve"]').first().getAttribute('href');
      expect(approveLink).toBeTruthy();

      await page.goto(approveLink!);
      await page.getByRole('button', { name: 'Approve the plan' }).waitFor();
      await shot(`0${step}-confirm-${stage.toLowerCase().replace(/ /g, '-')}`);
      await page.getByRole('button', { name: 'Approve the plan' }).click();
      await page.getByText('Your approval has been recorded').waitFor();
      await shot(`0${step + 1}-decided-${stage.toLowerCase().replace(/ /g, '-')}`);
    }, 60_000);
  }

  it('shows the plan approved', async () => {
    await expect
      .poll(async () => {
        await page.goto(planUrl);
        return page.locator('.tag-large').first().innerText();
      }, { timeout: 20_000 })
      .toBe('Approved');
    await shot('08-approved');
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
