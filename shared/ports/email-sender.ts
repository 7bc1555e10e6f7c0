import { z } from 'zod';

/** An email as the system sends it: always both a plain-text and an HTML body. */
export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Names what the email is about, for delivery logs and the local outbox (e.g. `approval-request`). */
  category: string;
}

export interface SentEmail {
  messageId: string;
}

/** Sends email: Amazon SES v2 on AWS, a local outbox folder when running locally. */
export interface EmailSender {
  send(message: EmailMessage): Promise<SentEmail>;
}

/**
 * An email as the local outbox keeps it (one JSON file each): the message, when it was "sent", and
 * every web link its HTML holds. The local sender writes it and the outbox page shows it.
 */
export const OutboxEmail = z.object({
  id: z.string(),
  sentAt: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  category: z.string(),
  text: z.string(),
  html: z.string(),
  links: z.array(z.string()),
});
export type OutboxEmail = z.infer<typeof OutboxEmail>;
