import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditIpHashKey, resetApprovalApiDependencies } from '../../functions/lib/approval-runtime.ts';
import { SecretsManagerSecretReader, SecretUnavailableError } from '../../shared/adapters/aws/secrets-manager-secret-reader.ts';

/**
 * The audit's IP-hash key is no longer in a function's configuration: on AWS the functions get the
 * secret's ARN and read the value from Secrets Manager at cold start, once per execution
 * environment. GetSecretValue is mocked (aws-sdk-client-mock), so the SDK's own retries do not run:
 * what is tested is the reader's retries, its typed error, and the runtime's once-only read.
 */

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ActionPlansApprovalAuditIpHashKey-AbCdEf';
const KEY = 'k'.repeat(48);
const secretsManager = mockClient(SecretsManagerClient);
const sleeps: number[] = [];
const backoff = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5, sleep: async (ms: number) => void sleeps.push(ms) };
const reader = () => new SecretsManagerSecretReader(new SecretsManagerClient({ region: 'eu-west-2' }), backoff);

function awsError(name: string): Error {
  return Object.assign(new Error(`${name} from the service`), { name, $metadata: {} });
}

beforeEach(() => {
  secretsManager.reset();
  sleeps.length = 0;
  resetApprovalApiDependencies();
});
afterEach(() => resetApprovalApiDependencies());

describe('SecretsManagerSecretReader', () => {
  it('reads the secret’s current text value', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: KEY });
    expect(await reader().readSecret(SECRET_ARN)).toBe(KEY);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: SECRET_ARN }]);
  });

  it('asks again after full-jitter waits while Secrets Manager throttles', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('InternalServiceError'))
      .resolves({ SecretString: KEY });
    expect(await reader().readSecret(SECRET_ARN)).toBe(KEY);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up on throttling after its attempts with a typed error naming the secret', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(awsError('ThrottlingException'));
    const error = await reader().readSecret(SECRET_ARN).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as SecretUnavailableError).secretId).toBe(SECRET_ARN);
    expect((error as Error).message).toBe(`The secret ${SECRET_ARN} could not be read: Secrets Manager answered ThrottlingException`);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(4);
  });

  it('does not retry a secret that does not exist or may not be read', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(reader().readSecret(SECRET_ARN)).rejects.toThrow(/could not be read: Secrets Manager answered ResourceNotFoundException/);
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException'));
    await expect(reader().readSecret(SECRET_ARN)).rejects.toBeInstanceOf(SecretUnavailableError);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('refuses a secret without a text value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(reader().readSecret(SECRET_ARN)).rejects.toThrow(`The secret ${SECRET_ARN} could not be read: it holds no text value`);
  });
});

describe('the approval functions’ audit key', () => {
  const onAws = { AWS_REGION: 'eu-west-2', AUDIT_IP_HASH_KEY_SECRET_ARN: SECRET_ARN };

  it('on AWS: read from the secret once per execution environment, however often asked', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: KEY });
    const keys = await Promise.all([auditIpHashKey(onAws), auditIpHashKey(onAws)]);
    expect(await auditIpHashKey(onAws)).toBe(KEY);
    expect(keys).toEqual([KEY, KEY]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('on AWS: a failed read is a typed error, and the next call reads again', async () => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(awsError('AccessDeniedException')).resolves({ SecretString: KEY });
    await expect(auditIpHashKey(onAws)).rejects.toBeInstanceOf(SecretUnavailableError);
    expect(await auditIpHashKey(onAws)).toBe(KEY);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('on AWS: a key too short to keep IP addresses unguessable is refused', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(auditIpHashKey(onAws)).rejects.toThrow(/shorter than 16 characters/);
  });

  it('locally: the key from the local configuration, and no call to Secrets Manager', async () => {
    expect(await auditIpHashKey({ AWS_REGION: 'local', AUDIT_IP_HASH_KEY: 'local-audit-ip-hash-key' })).toBe('local-audit-ip-hash-key');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('neither configured: says what to set', async () => {
    await expect(auditIpHashKey({ AWS_REGION: 'eu-west-2' })).rejects.toThrow(/set AUDIT_IP_HASH_KEY_SECRET_ARN \(AWS\) or AUDIT_IP_HASH_KEY \(local\)/);
  });
});
