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
