import { SendEmailCommand, type SendEmailCommandInput, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailSender, SentEmail } from '../../ports/email-sender.ts';
import { type BackoffOptions, DEFAULT_BACKOFF, retryWithBackoff } from '../retry.ts';

/**
 * Sends email with Amazon SES (API v2), as a simple message with a plain-text and an HTML body,
 * tagged with its category. Throttling and SES's own faults are retried with full-jitter backoff;
 * a refusal that retrying cannot cure becomes an `EmailNotSentError` saying what to fix.
 */
export interface SesEmailSenderConfig {
  client: SESv2Client;
  /** A verified SES identity (an address, or an address at a verified domain). */
  fromAddress: string;
  configurationSetName?: string;
  retry?: BackoffOptions;
}

/** SES will not send this message until a person fixes something; `code` is SES's error name. */
export class EmailNotSentError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmailNotSentError';
    this.code = code;
  }
}

/** SES says "slow down" or failed on its side: try again later. */
const RETRYABLE = new Set(['TooManyRequestsException', 'ThrottlingException', 'InternalServiceErrorException', 'ServiceUnavailable']);

/** SES refuses to send until a person acts: retrying will not help. */
const REFUSALS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
  'BadRequestException',
  'LimitExceededException',
]);

/** What a person must do when SES refuses to send. */
function whatToFix(code: string, { fromAddress: from, configurationSetName: configurationSet }: SesEmailSenderConfig): string {
  switch (code) {
    case 'MessageRejected':
      return 'SES rejected the message. While the account is in the SES sandbox every recipient must be a verified identity: verify the recipient, or request production access to leave the SES sandbox. Otherwise check the message content.';
    case 'MailFromDomainNotVerifiedException':
      return `SES cannot send from ${from}: verify the SES identity for ${from} (the address or its domain), and its custom MAIL FROM domain if one is set, in this region.`;
    case 'AccountSuspendedException':
      return 'The SES account may no longer send email (sending was permanently restricted): contact AWS Support about the account.';
    case 'SendingPausedException':
      return `Email sending is paused for the SES account${configurationSet ? ` or the configuration set ${configurationSet}` : ''}: fix the cause (usually bounce or complaint rates), then enable sending again.`;
    case 'NotFoundException':
      return `SES could not find a resource the message names: check that the configuration set${configurationSet ? ` ${configurationSet}` : ''} and the identity ${from} exist in this region.`;
    case 'BadRequestException':
      return `SES refused the request as invalid: check the from address ${from}, the recipients' addresses and the configuration set name.`;
    case 'LimitExceededException':
      return 'The SES sending quota is used up: wait for the 24-hour quota to renew, or request a higher sending quota.';
    default:
      return `SES refused to send (${code}).`;
  }
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

export function isRetryableSesError(error: unknown): boolean {
  const name = errorName(error);
  if (REFUSALS.has(name)) return false;
  const details = error as { $retryable?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (RETRYABLE.has(name) || details?.$retryable) return true;
  if (details?.$fault === 'server') return true;
  const status = details?.$metadata?.httpStatusCode;
  return status !== undefined && (status === 429 || status >= 500);
}

/** SES tag values allow only letters, digits, "_" and "-" (at most 256 characters). */
export function sesTagValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
  return cleaned === '' ? 'none' : cleaned;
}

export class SesEmailSender implements EmailSender {
  constructor(private readonly config: SesEmailSenderConfig) {}

  async send(message: EmailMessage): Promise<SentEmail> {
    if (message.to.length === 0) throw new Error('An email needs at least one recipient');
    const input = this.commandInput(message);
    try {
      const response = await retryWithBackoff(
        () => this.config.client.send(new SendEmailCommand(input)),
        isRetryableSesError,
        this.config.retry ?? DEFAULT_BACKOFF,
      );
      if (!response.MessageId) throw new Error('SES SendEmail returned no MessageId');
      return { messageId: response.MessageId };
    } catch (error) {
      const code = errorName(error);
      if (!REFUSALS.has(code)) throw error;
      const fix = whatToFix(code, this.config);
      const detail = error instanceof Error && error.message && error.message !== code ? ` (SES said: ${error.message})` : '';
      throw new EmailNotSentError(code, `Email "${message.subject}" was not sent. ${fix}${detail}`, { cause: error });
    }
  }

  commandInput(message: EmailMessage): SendEmailCommandInput {
    const { fromAddress, configurationSetName } = this.config;
    return {
      FromEmailAddress: fromAddress,
      Destination: { ToAddresses: [...message.to] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      },
      EmailTags: [{ Name: 'category', Value: sesTagValue(message.category) }],
      ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
    };
  }
}
