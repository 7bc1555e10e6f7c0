import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretReader } from '../../ports/secret-reader.ts';
import { type BackoffOptions, DEFAULT_BACKOFF, retryWithBackoff } from '../retry.ts';

/** Secrets Manager says "slow down" or failed on its side: worth asking again after a wait. */
const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'InternalServiceError', 'InternalServiceErrorException']);

export function isRetryableSecretsManagerError(error: unknown): boolean {
  const { name, $retryable } = (error ?? {}) as { name?: string; $retryable?: unknown };
  return RETRYABLE.has(name ?? '') || Boolean($retryable);
}

/**
 * A secret could not be read: missing, not allowed, still throttled after the retries, or holding no
 * text. Says which secret and why, never a value.
 */
export class SecretUnavailableError extends Error {
  readonly secretId: string;

  constructor(secretId: string, reason: string, options?: { cause?: unknown }) {
    super(`The secret ${secretId} could not be read: ${reason}`, options);
    this.name = 'SecretUnavailableError';
    this.secretId = secretId;
  }
}

/** GetSecretValue (AWSCURRENT), with full-jitter retries of throttling and service errors. */
export class SecretsManagerSecretReader implements SecretReader {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async readSecret(secretId: string): Promise<string> {
    let value: string | undefined;
    try {
      const output = await retryWithBackoff(
        () => this.client.send(new GetSecretValueCommand({ SecretId: secretId })),
        isRetryableSecretsManagerError,
        this.backoff,
      );
      value = output.SecretString;
    } catch (error) {
      const name = (error as { name?: string } | null)?.name ?? 'unknown error';
      throw new SecretUnavailableError(secretId, `Secrets Manager answered ${name}`, { cause: error });
    }
    if (typeof value !== 'string' || value === '') throw new SecretUnavailableError(secretId, 'it holds no text value');
    return value;
  }
}
