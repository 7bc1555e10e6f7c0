import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, systemClock } from '../../ports/clock.ts';
import { type EmailMessage, type EmailSender, OutboxEmail, type SentEmail } from '../../ports/email-sender.ts';

/**
 * The local stand-in for SES: each email becomes `<time>-<8 hex>.json` (the message, when it was
 * "sent", and every web link its HTML holds, so a person or a test can follow them) and the same
 * name `.html` (the HTML body, to open in a browser). Files appear whole: each is written under a
 * temporary name and renamed. The emails hold live approval links, so only their owner may read
 * them: the files are 0600 and the folder 0700.
 */

// The outbox's record is the port's (the outbox page shows it); named here too for readOutbox's callers.
export { OutboxEmail };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the character references an attribute value may hold (named basics and numeric). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (reference, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : reference;
    }
    return ENTITIES[name.toLowerCase()] ?? reference;
  });
}

/** Every http(s) `href` in the HTML, decoded, in document order (repeats kept). */
export function extractLinks(html: string): string[] {
  const links: string[] = [];
  for (const match of html.matchAll(/\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi)) {
    const href = decodeEntities(match[1] ?? match[2] ?? match[3] ?? '').trim();
    if (/^https?:\/\//i.test(href)) links.push(href);
  }
  return links;
}

/** "2026-11-30T14:05:00.000Z" → "2026-11-30T14-05-00.000Z": a file name every system accepts. */
function fileTime(date: Date): string {
  return date.toISOString().replace(/:/g, '-');
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { encoding: 'utf8', flag: 'wx', mode: 0o600 });
  await rename(temporary, path);
}

export class OutboxEmailSender implements EmailSender {
  private readonly directory: string;
  private readonly clock: Clock;

  constructor({ directory, clock = systemClock }: { directory: string; clock?: Clock }) {
    this.directory = directory;
    this.clock = clock;
  }

  async send(message: EmailMessage): Promise<SentEmail> {
    if (message.to.length === 0) throw new Error('An email needs at least one recipient');
    const sentAt = this.clock.now();
    const id = `${fileTime(sentAt)}-${randomBytes(4).toString('hex')}`;
    const email: OutboxEmail = {
      id,
      sentAt: sentAt.toISOString(),
      to: [...message.to],
      subject: message.subject,
      category: message.category,
      text: message.text,
      html: message.html,
      links: extractLinks(message.html),
    };
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    // A folder made before (or by mkdir -p under another umask) is closed too: its older emails with it.
    await chmod(this.directory, 0o700);
    // The .html first: a reader that sees the .json can rely on its .html being there.
    await writeAtomically(join(this.directory, `${id}.html`), message.html);
    await writeAtomically(join(this.directory, `${id}.json`), `${JSON.stringify(email, null, 2)}\n`);
    return { messageId: id };
  }
}

/** The outbox's emails, newest first; a folder that does not exist yet is an empty outbox. */
export async function readOutbox(directory: string): Promise<OutboxEmail[]> {
  const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const emails = await Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => OutboxEmail.parse(JSON.parse(await readFile(join(directory, name), 'utf8')))),
  );
  return emails.sort((a, b) => compareDesc(a.sentAt, b.sentAt) || compareDesc(a.id, b.id));
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
