import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createLocalIngestion, type LocalIngestionOptions } from '../../infra/local/local-ingestion.ts';

export type FreshLocalIngestion = Awaited<ReturnType<typeof freshLocalIngestion>>;

/**
 * The local ingestion on a table and an objects folder of its own (both named after `name`), on the
 * tests' DynamoDB Local. `close` ends its client and removes the folder.
 */
export async function freshLocalIngestion(name: string, options: Pick<LocalIngestionOptions, 'log' | 'resumeApproval'> = {}) {
  const objectsDir = await mkdtemp(join(tmpdir(), `${name}-`));
  const ingestion = await createLocalIngestion({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `${name}-${randomUUID()}`,
    objectsDir,
    ...options,
  });
  return {
    ...ingestion,
    objectsDir,
    close: async () => {
      ingestion.close();
      await rm(objectsDir, { recursive: true, force: true });
    },
  };
}
