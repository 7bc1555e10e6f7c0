import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { S3UploadUrlSigner } from '../../shared/adapters/aws/s3-upload-url-signer.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/dynamodb-client.ts';
import { DynamoPlanStore } from '../../shared/adapters/dynamodb/dynamodb-plan-store.ts';
import { DynamoUploadStore } from '../../shared/adapters/dynamodb/dynamodb-upload-store.ts';
import { readOrCreateSecretKey } from '../../shared/adapters/local/local-secret-key.ts';
import { LocalUploadUrlSigner } from '../../shared/adapters/local/local-upload-url-signer.ts';
import { type Clock, systemClock } from '../../shared/ports/clock.ts';
import type { UploadUrlSigner } from '../../shared/ports/upload-url-signer.ts';
import { baseEnvironment, readEnvironment } from './runtime.ts';

/**
 * What the query API's handlers share, created once per execution environment (and once per local
 * gateway process, where every route shares it): the stores on one DynamoDB client, the clock, and
 * the upload URL signer (S3 presigning on AWS; the local gateway's upload route when
 * LOCAL_UPLOAD_GATEWAY_URL is set, its URLs signed with the key in LOCAL_UPLOAD_SIGNING_KEY_FILE).
 */
export interface ApiDependencies {
  client: DynamoDBDocumentClient;
  plans: DynamoPlanStore;
  uploads: DynamoUploadStore;
  clock: Clock;
  uploadBucket: string;
  signer: UploadUrlSigner;
}

let dependencies: ApiDependencies | undefined;

export function apiDependencies(): ApiDependencies {
  if (dependencies) return dependencies;
  const environment = readEnvironment({
    ...baseEnvironment,
    UPLOAD_BUCKET: z.string().min(1).default('uploads'),
    LOCAL_UPLOAD_GATEWAY_URL: z.string().url().optional(),
    LOCAL_UPLOAD_SIGNING_KEY_FILE: z.string().min(1).optional(),
  });
  if (environment.LOCAL_UPLOAD_GATEWAY_URL && !environment.LOCAL_UPLOAD_SIGNING_KEY_FILE) {
    throw new Error('The function is misconfigured: LOCAL_UPLOAD_GATEWAY_URL needs LOCAL_UPLOAD_SIGNING_KEY_FILE');
  }
  const client = createDocumentClient({
    region: environment.AWS_REGION,
    ...(environment.DYNAMODB_ENDPOINT ? { endpoint: environment.DYNAMODB_ENDPOINT } : {}),
  });
  const tableName = environment.TABLE_NAME;
  dependencies = {
    client,
    plans: new DynamoPlanStore({ client, tableName }),
    uploads: new DynamoUploadStore({ client, tableName }),
    clock: systemClock,
    uploadBucket: environment.UPLOAD_BUCKET,
    signer: environment.LOCAL_UPLOAD_GATEWAY_URL
      ? new LocalUploadUrlSigner(environment.LOCAL_UPLOAD_GATEWAY_URL, readOrCreateSecretKey(environment.LOCAL_UPLOAD_SIGNING_KEY_FILE!))
      : new S3UploadUrlSigner(new S3Client({ region: environment.AWS_REGION }), environment.UPLOAD_BUCKET),
  };
  return dependencies;
}

/** For tests and the benchmark: forget the dependencies so the next call reads the environment again. */
export function resetApiDependencies(): void {
  dependencies?.client.destroy();
  dependencies = undefined;
}
