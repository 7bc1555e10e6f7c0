/**
 * Serves the query API locally: DynamoDB Local (data in .local/data/, as `npm run ingest` keeps it),
 * the local ingestion for uploads, and the local gateway on http://127.0.0.1:<PORT, default 3000>.
 *   npx tsx infra/local/serve-api.ts     then   curl -H "Authorization: Bearer $(npm run -s token -- --role viewer)" …/plans
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devSigningKey } from './dev-tokens.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { createLocalApiGateway } from './local-api-gateway.ts';
import { createLocalIngestion } from './local-ingestion.ts';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const DATA = join(repository, '.local', 'data');
const port = Number(process.env.PORT ?? 3000);
const baseUrl = `http://127.0.0.1:${port}`;

const dynamoDb = await startDynamoDbLocal({ dataDir: join(DATA, 'dynamodb') });
const ingestion = await createLocalIngestion({ dynamodbEndpoint: dynamoDb.endpoint, tableName: 'action-plans', objectsDir: join(DATA, 'objects') });
Object.assign(process.env, {
  AWS_REGION: 'local',
  TABLE_NAME: 'action-plans',
  DYNAMODB_ENDPOINT: dynamoDb.endpoint,
  UPLOAD_BUCKET: 'uploads',
  LOCAL_UPLOAD_GATEWAY_URL: baseUrl,
});
const server = createServer(
  createLocalApiGateway({
    signingKey: devSigningKey(),
    receiveUpload: async (key, bytes) => {
      void ingestion.ingestObject(key, bytes).catch((error: unknown) => console.error('local ingestion failed', error));
    },
  }),
);
server.listen(port, '127.0.0.1', () => console.log(`Query API on ${baseUrl} (GET ${baseUrl}/openapi.json)`));
const stop = async () => {
  server.close();
  ingestion.close();
  await dynamoDb.stop();
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
