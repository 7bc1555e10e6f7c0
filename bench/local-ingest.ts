/**
 * Benchmark: local ingestion of each fixture PDF, upload → items stored (local object store, the
 * local analyser as Textract, DynamoDB Local in memory), in milliseconds. DynamoDB Local's start-up
 * is measured apart, once; each PDF is ingested twice, the second time the same content (no new
 * revision) to show the idempotent path.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { createLocalIngestion } from '../infra/local/local-ingestion.ts';

const fixtures = fileURLToPath(new URL('../tests/fixtures/action-plans/', import.meta.url));
const FIXTURES = ['hmp-liverpool-2018', 'hmp-long-lartin-2023'];

const startup = performance.now();
const dynamoDb = await startDynamoDbLocal();
const dynamoDbStartupMs = Math.round(performance.now() - startup);
const ingestion = await createLocalIngestion({
  dynamodbEndpoint: dynamoDb.endpoint,
  tableName: 'bench',
  objectsDir: await mkdtemp(join(tmpdir(), 'ingest-bench-')),
});
try {
  for (const name of FIXTURES) {
    const bytes = new Uint8Array(readFileSync(join(fixtures, `${name}.pdf`)));
    for (const run of ['first', 'same content again']) {
      const started = performance.now();
      const outcome = await ingestion.ingest(`${name}.pdf`, bytes);
      const milliseconds = Math.round(performance.now() - started);
      if (outcome.outcome !== 'parsed') throw new Error(`${name}: ${JSON.stringify(outcome)}`);
      const plan = await ingestion.plans.getPlan(outcome.planId);
      process.stdout.write(
        `${JSON.stringify({ document: `${name}.pdf`, run, uploadToStoredMs: milliseconds, items: plan?.itemCount, actions: plan?.actionCount, newRevision: outcome.created, dynamoDbStartupMs })}\n`,
      );
    }
  }
} finally {
  ingestion.close();
  await dynamoDb.stop();
}
