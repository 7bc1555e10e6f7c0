import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxEmailSender, extractLinks, readOutbox } from '../../shared/adapters/local/outbox-email-sender.ts';
import type { EmailMessage } from '../../shared/ports/email-sender.ts';
import { renderOutboxEmailPage, renderOutboxPage } from '../../shared/presentation/outbox-page.ts';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'outbox-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const message = (subject: string, html: string): EmailMessage => ({
  to: ['jane.smith@justice.gov.uk'],
  subject,
  text: `${subject} as text`,
  html,
  category: 'approval-request',
});

/** A clock that moves on a minute at each reading. */
function steppingClock(start: string): { now(): Date } {
  let next = new Date(start).getTime();
  return {
    now: () => {
      const now = new Date(next);
      next += 60_000;
      return now;
    },
  };
}

describe('the outbox email sender', () => {
  it('writes each email as JSON and HTML, named by time, with its links, and reads them back newest first', async () => {
    const sender = new OutboxEmailSender({ directory: join(directory, 'outbox'), clock: steppingClock('2026-11-30T14:05:00.000Z') });
    const first = await sender.send(
      message(
        'First',
        `<p><a href="https://x.example/links/a?d=approve&amp;n=1">Approve</a> <a class="b" href='http://x.example/r'>Reject</a>
<a href="mailto:someone@example.com">mail</a> <a href="#top">top</a> <a href=https://x.example/bare>bare</a></p>`,
      ),
    );
    const second = await sender.send(message('Second', '<p>No links</p>'));

    expect(first.messageId).toMatch(/^2026-11-30T14-05-00\.000Z-[0-9a-f]{8}$/);
    expect(second.messageId).toMatch(/^2026-11-30T14-06-00\.000Z-[0-9a-f]{8}$/);

    const files = (await readdir(join(directory, 'outbox'))).sort();
    expect(files).toEqual([`${first.messageId}.html`, `${first.messageId}.json`, `${second.messageId}.html`, `${second.messageId}.json`]);
    expect(files.some((name) => name.endsWith('.tmp'))).toBe(false);

    const emails = await readOutbox(join(directory, 'outbox'));
    expect(emails.map((email) => email.subject)).toEqual(['Second', 'First']);
    expect(emails[1]).toEqual({
      id: first.messageId,
      sentAt: '2026-11-30T14:05:00.000Z',
      to: ['jane.smith@justice.gov.uk'],
      subject: 'First',
      category: 'approval-request',
      text: 'First as text',
      html: expect.stringContaining('Approve</a>'),
      links: ['https://x.example/links/a?d=approve&n=1', 'http://x.example/r', 'https://x.example/bare'],
    });
    expect(emails[0]!.links).toEqual([]);
    expect(await readFile(join(directory, 'outbox', `${first.messageId}.html`), 'utf8')).toBe(emails[1]!.html);
  });

  it('orders by time, not by the order of sending', async () => {
    const times = ['2026-11-30T10:00:00.000Z', '2026-11-30T12:00:00.000Z', '2026-11-30T11:00:00.000Z'];
    for (const time of times) {
      await new OutboxEmailSender({ directory, clock: { now: () => new Date(time) } }).send(message(time, '<p></p>'));
    }
    expect((await readOutbox(directory)).map((email) => email.sentAt)).toEqual([
      '2026-11-30T12:00:00.000Z',
      '2026-11-30T11:00:00.000Z',
      '2026-11-30T10:00:00.000Z',
    ]);
  });

  it('reads a missing outbox as empty', async () => {
    expect(await readOutbox(join(directory, 'never-created'))).toEqual([]);
  });

  it('refuses an email with no recipient', async () => {
    await expect(new OutboxEmailSender({ directory }).send({ ...message('x', ''), to: [] })).rejects.toThrow('recipient');
  });

  it('decodes character references in links', () => {
    expect(extractLinks('<a href="https://x.example/?a=1&#38;b=&#x32;&amp;c=&quot;">x</a><link href="https://x.example/s.css">')).toEqual([
      'https://x.example/?a=1&b=2&c="',
      'https://x.example/s.css',
    ]);
  });
});

describe('the outbox pages', () => {
  it('lists the emails with their links, and shows one email sandboxed', async () => {
    const sender = new OutboxEmailSender({ directory, clock: steppingClock('2026-11-30T14:05:00.000Z') });
    await sender.send(message('Approval needed: <HMP>', '<p><a href="https://x.example/l?a=1&amp;b=2">Approve</a></p><script>x()</script>'));
    const emails = await readOutbox(directory);
    const email = emails[0]!;

    const list = renderOutboxPage(emails, { emailHref: (id) => `/outbox/${encodeURIComponent(id)}` });
    expect(list.status).toBe(200);
    expect(list.html).toContain(`<a href="/outbox/${email.id}">Approval needed: &lt;HMP&gt;</a>`);
    expect(list.html).toContain('<td>30 November 2026, 14:05 UTC</td>');
    expect(list.html).toContain('<td>jane.smith@justice.gov.uk</td>');
    expect(list.html).toContain('<td>approval-request</td>');
    expect(list.html).toContain('<a href="https://x.example/l?a=1&amp;b=2">https://x.example/l?a=1&amp;b=2</a>');
    expect(renderOutboxPage([], { emailHref: (id) => id }).html).toContain('No emails have been sent yet.');

    const one = renderOutboxEmailPage(email);
    expect(one.status).toBe(200);
    expect(one.html).toContain(
      '<iframe sandbox="" srcdoc="&lt;p&gt;&lt;a href=&quot;https://x.example/l?a=1&amp;amp;b=2&quot;&gt;Approve&lt;/a&gt;&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"',
    );
    expect(one.html).not.toContain('<script>');
    expect(one.html).toContain('<pre>Approval needed: &lt;HMP&gt; as text</pre>');
    expect(one.html).toContain('<li><a href="https://x.example/l?a=1&amp;b=2">https://x.example/l?a=1&amp;b=2</a></li>');
  });
});
