import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxEmailSender } from '../../shared/adapters/local/outbox-email-sender.ts';

/** The outbox's emails hold live approval links: only their owner may read them. */

const root = mkdtempSync(join(tmpdir(), 'outbox-mode-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const message = { to: ['ann@example.gov.uk'], subject: 'Approve', text: 'Text', html: '<a href="http://localhost/approvals/secret">Approve</a>', category: 'approval-request' };
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the local outbox', () => {
  it('writes each email 0600 in a folder of mode 0700', async () => {
    const directory = join(root, 'new', 'outbox');
    const { messageId } = await new OutboxEmailSender({ directory }).send(message);
    expect(modeOf(directory)).toBe(0o700);
    const files = readdirSync(directory);
    expect(files.sort()).toEqual([`${messageId}.html`, `${messageId}.json`]);
    for (const file of files) expect(modeOf(join(directory, file))).toBe(0o600);
  });

  it('closes a folder that was made open before', async () => {
    const directory = join(root, 'old-outbox');
    mkdirSync(directory);
    chmodSync(directory, 0o755);
    await new OutboxEmailSender({ directory }).send(message);
    expect(modeOf(directory)).toBe(0o700);
  });
});
