import {
  InternalServiceErrorException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EmailNotSentError, SesEmailSender, isRetryableSesError, sesTagValue } from '../../shared/adapters/aws/ses-email-sender.ts';
import type { EmailMessage } from '../../shared/ports/email-sender.ts';

const ses = mockClient(SESv2Client);
const sleeps: number[] = [];
const retry = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  random: () => 0.5,
  sleep: async (ms: number) => {
    sleeps.push(ms);
  },
};

const sender = (configurationSetName?: string): SesEmailSender =>
  new SesEmailSender({
    client: new SESv2Client({ region: 'eu-west-2' }),
    fromAddress: 'action-plans@justice.example.gov.uk',
    ...(configurationSetName ? { configurationSetName } : {}),
    retry,
  });

const message: EmailMessage = {
  to: ['jane.smith@justice.gov.uk', 'sam.patel@justice.gov.uk'],
  subject: 'Approval needed: HMP Liverpool action plan (Governor)',
  text: 'Dear Jane Smith,',
  html: '<p>Dear Jane Smith,</p>',
  category: 'approval-request',
};

const metadata = { $metadata: {} };

beforeEach(() => {
  ses.reset();
  sleeps.length = 0;
});

describe('sending with SES', () => {
  it('sends a simple UTF-8 message with both bodies, tagged with its category', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message-1' });
    expect(await sender('approvals').send(message)).toEqual({ messageId: 'ses-message-1' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input).toEqual({
      FromEmailAddress: 'action-plans@justice.example.gov.uk',
      Destination: { ToAddresses: ['jane.smith@justice.gov.uk', 'sam.patel@justice.gov.uk'] },
      Content: {
        Simple: {
          Subject: { Data: 'Approval needed: HMP Liverpool action plan (Governor)', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Dear Jane Smith,', Charset: 'UTF-8' },
            Html: { Data: '<p>Dear Jane Smith,</p>', Charset: 'UTF-8' },
          },
        },
      },
      EmailTags: [{ Name: 'category', Value: 'approval-request' }],
      ConfigurationSetName: 'approvals',
    });
  });

  it('leaves out the configuration set when there is none, and cleans the tag value', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    await sender().send({ ...message, category: 'plan approved/v2' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).not.toHaveProperty('ConfigurationSetName');
    expect(input.EmailTags).toEqual([{ Name: 'category', Value: 'plan_approved_v2' }]);
    expect(sesTagValue('')).toBe('none');
  });

  it('retries throttling with jittered backoff, then succeeds', async () => {
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', ...metadata }))
      .rejectsOnce(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', ...metadata }))
      .resolves({ MessageId: 'after-throttling' });
    expect(await sender().send(message)).toEqual({ messageId: 'after-throttling' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up after the last attempt and passes the error on', async () => {
    ses.on(SendEmailCommand).rejects(new InternalServiceErrorException({ message: 'SES failed', ...metadata }));
    const error = await sender()
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServiceErrorException);
    expect(error).not.toBeInstanceOf(EmailNotSentError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it('turns a rejected message into EmailNotSentError, without retrying', async () => {
    ses.on(SendEmailCommand).rejects(
      new MessageRejected({
        message: 'Email address is not verified. The following identities failed the check in region EU-WEST-2: jane.smith@justice.gov.uk',
        ...metadata,
      }),
    );
    const error = await sender()
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailNotSentError);
    expect(error).toMatchObject({ name: 'EmailNotSentError', code: 'MessageRejected' });
    expect((error as Error).message).toContain('leave the SES sandbox');
    expect((error as Error).message).toContain('Email address is not verified');
    expect((error as Error).cause).toBeInstanceOf(MessageRejected);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('says to verify the identity when the sending domain is not verified', async () => {
    ses.on(SendEmailCommand).rejects(new MailFromDomainNotVerifiedException({ message: 'Domain not verified', ...metadata }));
    const error = await sender()
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailNotSentError);
    expect((error as Error).message).toContain('verify the SES identity for action-plans@justice.example.gov.uk');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('names the configuration set when sending is paused', async () => {
    ses.on(SendEmailCommand).rejects(new SendingPausedException({ message: 'paused', ...metadata }));
    await expect(sender('approvals').send(message)).rejects.toThrow(/paused for the SES account or the configuration set approvals/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('tells retryable errors from refusals', () => {
    expect(isRetryableSesError(new TooManyRequestsException({ message: 'x', ...metadata }))).toBe(true);
    expect(isRetryableSesError(Object.assign(new Error('x'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryableSesError(Object.assign(new Error('x'), { name: 'Unknown', $retryable: { throttling: true } }))).toBe(true);
    for (const name of ['MessageRejected', 'AccountSuspendedException', 'NotFoundException', 'BadRequestException', 'LimitExceededException']) {
      expect(isRetryableSesError(Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: 500 } }))).toBe(false);
    }
    expect(isRetryableSesError(new Error('plain'))).toBe(false);
  });

  it('refuses an email with no recipient without calling SES', async () => {
    await expect(sender().send({ ...message, to: [] })).rejects.toThrow('recipient');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
