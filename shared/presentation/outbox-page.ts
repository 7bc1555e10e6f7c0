import type { OutboxEmail } from '../ports/email-sender.ts';
import { type HtmlPage, type SafeHtml, formatDateTimeUtc, html, page } from './html.ts';

/**
 * The local outbox as web pages: the list of emails "sent" while running locally, and one email
 * with its HTML body (shown in a sandboxed frame: no scripts, no forms), its text and its links.
 */

function linkList(links: readonly string[]): SafeHtml {
  if (links.length === 0) return html`<p class="hint">No links.</p>`;
  return html`<ul>
${links.map((link) => html`<li><a href="${link}">${link}</a></li>\n`)}</ul>`;
}

export function renderOutboxPage(emails: readonly OutboxEmail[], { emailHref }: { emailHref(id: string): string }): HtmlPage {
  const title = 'Outbox';
  const body = html`<h1>${title}</h1>
<p>Emails sent while running locally, newest first. Nothing here was delivered.</p>
${emails.length === 0
    ? html`<p>No emails have been sent yet.</p>`
    : html`<table>
<caption class="visually-hidden">Emails sent, newest first</caption>
<thead><tr><th scope="col">Sent</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Category</th><th scope="col">Links</th></tr></thead>
<tbody>
${emails.map(
  (email) => html`<tr>
<td>${formatDateTimeUtc(email.sentAt)}</td>
<td>${email.to.join(', ')}</td>
<td><a href="${emailHref(email.id)}">${email.subject}</a></td>
<td>${email.category}</td>
<td>${email.links.length === 0 ? null : html`<ul>${email.links.map((link) => html`<li><a href="${link}">${link}</a></li>`)}</ul>`}</td>
</tr>
`,
)}</tbody>
</table>`}`;
  return page({ title, body, status: 200 });
}

export function renderOutboxEmailPage(email: OutboxEmail): HtmlPage {
  const body = html`<h1>${email.subject}</h1>
<dl>
<dt>Sent</dt><dd>${formatDateTimeUtc(email.sentAt)}</dd>
<dt>To</dt><dd>${email.to.join(', ')}</dd>
<dt>Category</dt><dd>${email.category}</dd>
</dl>
<h2>Links</h2>
${linkList(email.links)}
<h2>As HTML</h2>
<iframe sandbox="" srcdoc="${email.html}" title="The email’s HTML body"></iframe>
<h2>As text</h2>
<pre>${email.text}</pre>`;
  return page({ title: email.subject, body, status: 200 });
}
