#!/usr/bin/env -S npx tsx
/**
 * ingest: put an action-plan PDF (or an inspection report PDF, which starts a draft plan awaiting the
 * response; the document is told by its content) through the local twin of the AWS ingestion path.
 *
 *   npm run ingest -- <file.pdf>
 *
 * The same use-cases as the Lambdas (receiveUpload, then completeAnalysis when the analysis
 * finishes), with the local adapters: DynamoDB Local (started here; data kept in .local/data/ so a
 * plan stays stored), a folder as the object store, and the local PDF analyser playing Textract's
 * asynchronous API. Prints the stored plan id, revision and counts. Exit codes: 0 stored, 2 the upload
 * failed (the reason is printed), 1 an internal error.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { createLocalIngestion } from '../infra/local/local-ingestion.ts';
import { runningStack } from '../infra/local/stack-lock.ts';

const repository = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(repository, '.local', 'data');
const TABLE_NAME = 'action-plans';

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true });
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    process.stderr.write('usage: npm run ingest -- <file.pdf>\n');
    return 2;
  }
  const bytes = await readFile(file).catch(() => null);
  if (!bytes) {
    process.stderr.write(`ingest: No such file: ${file}\n`);
    return 2;
  }

  const running = runningStack(DATA);
  if (running) {
    process.stderr.write(`ingest: npm start is running on the same data (${running.baseUrl}); upload there instead (${running.baseUrl}/ui/upload), or stop it first\n`);
    return 2;
  }
  const started = performance.now();
  const dynamoDb = await startDynamoDbLocal({ dataDir: join(DATA, 'dynamodb') });
  const ingestion = await createLocalIngestion({
    dynamodbEndpoint: dynamoDb.endpoint,
    tableName: TABLE_NAME,
    objectsDir: join(DATA, 'objects'),
  });
  try {
    const outcome = await ingestion.ingest(file, bytes);
    const milliseconds = Math.round(performance.now() - started);
    if (outcome.outcome !== 'parsed') {
      process.stderr.write(`ingest: ${'reason' in outcome ? outcome.reason : outcome.outcome}\n`);
      return 2;
    }
    const plan = await ingestion.plans.getPlan(outcome.planId);
    const summary = {
      planId: outcome.planId,
      revision: outcome.revision,
      newRevision: outcome.created,
      status: plan?.status ?? null,
      establishment: plan?.establishment ?? null,
      items: plan?.itemCount ?? 0,
      actions: plan?.actionCount ?? 0,
      uploadId: outcome.uploadId,
      milliseconds,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  } finally {
    ingestion.close();
    await dynamoDb.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ingest: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
