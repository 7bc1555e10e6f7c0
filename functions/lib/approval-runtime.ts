import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { SecretsManagerSecretReader, SecretUnavailableError } from '../../shared/adapters/aws/secrets-manager-secret-reader.ts';
import { SesEmailSender } from '../../shared/adapters/aws/ses-email-sender.ts';
import { StepFunctionsApprovalWorkflow } from '../../shared/adapters/aws/step-functions-approval-workflow.ts';
import { DynamoApprovalStore } from '../../shared/adapters/dynamodb/dynamodb-approval-store.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { OutboxEmailSender } from '../../shared/adapters/local/outbox-email-sender.ts';
import { ApprovalChain } from '../../shared/domain/approval.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { ApprovalWorkflow } from '../../shared/ports/approval-workflow.ts';
import type { SecretReader } from '../../shared/ports/secret-reader.ts';
import type { ApprovalDependencies } from '../../shared/usecases/approval/approval-context.ts';
import { resumeApprovalForNewRevision } from '../../shared/usecases/approval/run-approval.ts';
import { baseEnvironment, logger, readEnvironment } from './runtime.ts';

const seconds = z.coerce.number().int().positive();

/** The approval functions' configuration (set by infra/constructs/approval.ts, or by the local stack). */
/** What every function that reads or starts approvals needs: the table, the state machine, the default chain. */
const approvalStoreEnvironment = {
  ...baseEnvironment,
  /** Only where the function starts executions (submitting a plan). */
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  /** Only for the local runner, which answers the Step Functions API. */
  STEP_FUNCTIONS_ENDPOINT: z.string().url().optional(),
  /** JSON of the chain an establishment without its own gets; empty: none. */
  DEFAULT_APPROVAL_CHAIN: z.string().optional(),
};

/** The approval state machine's functions: also the emails, links and timers. */
export const approvalEnvironment = {
  ...approvalStoreEnvironment,
  /** The verified SES identity emails come from; or, locally, EMAIL_OUTBOX_DIR. */
  EMAIL_FROM: z.string().min(3).optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  EMAIL_OUTBOX_DIR: z.string().min(1).optional(),
  APPROVAL_LINK_BASE_URL: z.string().url(),
  APPROVAL_LINK_VALID_SECONDS: seconds,
  APPROVAL_REMINDER_AFTER_SECONDS: seconds,
  APPROVAL_ESCALATE_AFTER_SECONDS: seconds,
  /** Locally: the key of the audit's IP hash itself. */
  AUDIT_IP_HASH_KEY: z.string().min(16).optional(),
  /** On AWS: the ARN of the Secrets Manager secret holding that key (the value is read at cold start, never configured). */
  AUDIT_IP_HASH_KEY_SECRET_ARN: z.string().regex(/^arn:[\w-]+:secretsmanager:/).optional(),
};

/**
 * The approval use-cases' dependencies, made once per execution environment: the functions await
 * them at cold start (top-level await), which is when the audit key is read from Secrets Manager.
 */
export async function approvalDependencies(): Promise<ApprovalDependencies> {
  const environment = readEnvironment(approvalEnvironment);
  const ipHashKey = await auditIpHashKey(environment);
  return {
    ...createApprovalApiDependencies(environment),
    email: emailSenderOf(environment),
    timing: {
      linkValidSeconds: environment.APPROVAL_LINK_VALID_SECONDS,
      reminderAfterSeconds: environment.APPROVAL_REMINDER_AFTER_SECONDS,
      escalateAfterSeconds: environment.APPROVAL_ESCALATE_AFTER_SECONDS,
    },
    linkBaseUrl: environment.APPROVAL_LINK_BASE_URL.replace(/\/+$/, ''),
    ipHashKey,
  };
}

/** Shorter keys are refused: the hash must not be guessable by trying every IPv4 address. */
const MIN_KEY_LENGTH = 16;
let ipHashKeyRead: Promise<string> | undefined;

/**
 * The key of the audit's IP hash: locally from the environment (AUDIT_IP_HASH_KEY, set by the local
 * stack); on AWS read from the Secrets Manager secret named by AUDIT_IP_HASH_KEY_SECRET_ARN, once per
 * execution environment (a failed read is tried again by the next cold start or call).
 */
export function auditIpHashKey(
  environment: Pick<Environment, 'AWS_REGION' | 'AUDIT_IP_HASH_KEY' | 'AUDIT_IP_HASH_KEY_SECRET_ARN'>,
  secrets: () => SecretReader = () => new SecretsManagerSecretReader(new SecretsManagerClient({ region: environment.AWS_REGION })),
): Promise<string> {
  if (environment.AUDIT_IP_HASH_KEY) return Promise.resolve(environment.AUDIT_IP_HASH_KEY);
  const secretArn = environment.AUDIT_IP_HASH_KEY_SECRET_ARN;
  if (!secretArn) {
    return Promise.reject(new Error('The function is misconfigured: set AUDIT_IP_HASH_KEY_SECRET_ARN (AWS) or AUDIT_IP_HASH_KEY (local)'));
  }
  ipHashKeyRead ??= secrets()
    .readSecret(secretArn)
    .then((key) => {
      if (key.length < MIN_KEY_LENGTH) throw new SecretUnavailableError(secretArn, `the key is shorter than ${MIN_KEY_LENGTH} characters`);
      return key;
    })
    .catch((error: unknown) => {
      ipHashKeyRead = undefined;
      throw error;
    });
  return ipHashKeyRead;
}

type Environment = z.infer<z.ZodObject<typeof approvalEnvironment>>;
type StoreEnvironment = z.infer<z.ZodObject<typeof approvalStoreEnvironment>>;

function workflowOf(environment: StoreEnvironment): ApprovalWorkflow {
  const client = new SFNClient({
    region: environment.AWS_REGION,
    ...(environment.STEP_FUNCTIONS_ENDPOINT
      ? { endpoint: environment.STEP_FUNCTIONS_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  return new StepFunctionsApprovalWorkflow({ client, stateMachineArn: environment.STATE_MACHINE_ARN ?? '' });
}

function emailSenderOf(environment: Pick<Environment, 'AWS_REGION' | 'EMAIL_FROM' | 'SES_CONFIGURATION_SET' | 'EMAIL_OUTBOX_DIR'>) {
  if (environment.EMAIL_OUTBOX_DIR) return new OutboxEmailSender({ directory: environment.EMAIL_OUTBOX_DIR });
  if (!environment.EMAIL_FROM) throw new Error('The function is misconfigured: set EMAIL_FROM (SES) or EMAIL_OUTBOX_DIR (local)');
  return new SesEmailSender({
    client: new SESv2Client({ region: environment.AWS_REGION }),
    fromAddress: environment.EMAIL_FROM,
    ...(environment.SES_CONFIGURATION_SET ? { configurationSetName: environment.SES_CONFIGURATION_SET } : {}),
  });
}

let apiDependencies: ReturnType<typeof createApprovalApiDependencies> | undefined;

/**
 * What the approval routes of the HTTP API and the functions that store revisions need: the stores,
 * the state machine (to start it) and the default chain; made once per execution environment.
 */
export function approvalApiDependencies() {
  apiDependencies ??= createApprovalApiDependencies();
  return apiDependencies;
}

/** For tests: forget the dependencies (and the audit key read) so the next call reads the environment again. */
export function resetApprovalApiDependencies(): void {
  apiDependencies = undefined;
  ipHashKeyRead = undefined;
}

function createApprovalApiDependencies(environment: StoreEnvironment = readEnvironment(approvalStoreEnvironment)) {
  const client = createDocumentClient({
    region: environment.AWS_REGION,
    ...(environment.DYNAMODB_ENDPOINT ? { endpoint: environment.DYNAMODB_ENDPOINT } : {}),
  });
  const store = { client, tableName: environment.TABLE_NAME };
  return {
    configured: Boolean(environment.STATE_MACHINE_ARN),
    plans: new DynamoPlanStore(store),
    approvals: new DynamoApprovalStore(store),
    workflow: workflowOf(environment),
    defaultChain: environment.DEFAULT_APPROVAL_CHAIN ? ApprovalChain.parse(JSON.parse(environment.DEFAULT_APPROVAL_CHAIN)) : null,
    clock: systemClock,
  };
}

/**
 * For the functions that store plan revisions: hands the approval over to the new revision (an older
 * revision's run still in progress is withdrawn, its approvers emailed; the new revision is sent for
 * approval when the previous one was in approval or sent back). Undefined where the approval flow is
 * not configured.
 */
export function approvalResumer(): ((planId: string, previousRevision: number) => Promise<unknown>) | undefined {
  if (!process.env.STATE_MACHINE_ARN) return undefined;
  let email: ReturnType<typeof emailSenderOf> | undefined;
  return async (planId, previousRevision) => {
    const { EMAIL_FROM, SES_CONFIGURATION_SET, EMAIL_OUTBOX_DIR } = approvalEnvironment;
    email ??= emailSenderOf(readEnvironment({ ...baseEnvironment, EMAIL_FROM, SES_CONFIGURATION_SET, EMAIL_OUTBOX_DIR }));
    const outcome = await resumeApprovalForNewRevision({ ...approvalApiDependencies(), email }, planId, previousRevision);
    for (const problem of outcome.withdrawalProblems ?? []) logger.warn('Withdrawing a superseded approval run', { planId, problem });
    return outcome;
  };
}
