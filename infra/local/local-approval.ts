import { LocalStepFunctions } from './local-step-functions.ts';
import { synthesiseApprovalStateMachine } from './synthesised-state-machine.ts';

export interface LocalApprovalOptions {
  dynamodbEndpoint: string;
  tableName: string;
  /** The region the local table was created in (DynamoDB Local keeps tables per region). */
  region?: string;
  /** Folder the approval emails are written to. */
  outboxDir: string;
  /** Where approval links point: the local gateway's `/approvals`. */
  linkBaseUrl: string;
  /** CDK context overrides, e.g. `{ 'actionPlans:approvalReminderAfter': 'PT2S' }` for tests. */
  context?: Record<string, unknown>;
  /** Key of the keyed hash of client IPs in the audit (a fixed local value by default). */
  auditIpHashKey?: string;
  onError?: (error: unknown) => void;
}

export interface LocalApproval {
  runner: LocalStepFunctions;
  /** The environment the approval functions run with here (already set on process.env). */
  environment: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The approval flow, locally: the synthesised state machine on the local runner, and the approval
 * functions' environment taken from the synthesised template (timers, default chain) with the local
 * stand-ins in place of AWS (DynamoDB Local, the runner's Step Functions API, the email outbox).
 *
 * The functions run in this process and read their configuration from `process.env` when first
 * imported, so this sets it; one local approval flow per process.
 */
export async function startLocalApproval(options: LocalApprovalOptions): Promise<LocalApproval> {
  const machine = synthesiseApprovalStateMachine(options.context);
  const runner = new LocalStepFunctions(machine, options.onError ? { onError: options.onError } : {});
  const endpoint = await runner.listen();

  const synthesised = [...machine.functions.values()][0]?.environment ?? {};
  const fromTemplate = Object.fromEntries(
    Object.entries(synthesised).filter(([name]) => name.startsWith('APPROVAL_') || name === 'DEFAULT_APPROVAL_CHAIN'),
  );
  const environment: Record<string, string> = {
    ...fromTemplate,
    AWS_REGION: options.region ?? 'local',
    TABLE_NAME: options.tableName,
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
    STEP_FUNCTIONS_ENDPOINT: endpoint,
    STATE_MACHINE_ARN: runner.stateMachineArn,
    EMAIL_OUTBOX_DIR: options.outboxDir,
    APPROVAL_LINK_BASE_URL: options.linkBaseUrl,
    AUDIT_IP_HASH_KEY: options.auditIpHashKey ?? 'local-audit-ip-hash-key',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
  Object.assign(process.env, environment);
  return { runner, environment, close: () => runner.close() };
}
