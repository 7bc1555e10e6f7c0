import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules in eslint.config.js, run through ESLint's Node API on small snippets placed (by
 * their file path) in each layer: an import across a forbidden boundary fails the lint, and the
 * imports each layer is allowed pass.
 */

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layer rules', () => {
  it('fail the lint when the domain imports a port, and say why', async () => {
    const messages = await restrictedImports(
      'shared/domain/example.ts',
      "import type { Upload } from '../ports/upload-store.ts';\nexport type Example = Upload;\n",
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("'../ports/upload-store.ts'");
    expect(messages[0]).toContain('know nothing of the outside services');
  });

  it.each([
    ['shared/domain/example.ts', '../adapters/local/outbox-email-sender.ts'],
    ['shared/domain/example.ts', '../usecases/get-plan.ts'],
    ['shared/domain/example.ts', '../presentation/html.ts'],
    ['shared/domain/example.ts', '../extraction/plan-table.ts'],
    ['shared/domain/example.ts', '@aws-sdk/client-s3'],
    ['shared/extraction/example.ts', '../ports/document-analyser.ts'],
    ['shared/ports/example.ts', '../extraction/textract-document.ts'],
    ['shared/ports/example.ts', '../adapters/aws/s3-object-store.ts'],
    ['shared/usecases/example.ts', '../adapters/dynamodb/dynamodb-plan-store.ts'],
    ['shared/usecases/approval/example.ts', '../../adapters/aws/ses-email-sender.ts'],
    ['shared/usecases/example.ts', '@aws-sdk/client-dynamodb'],
    ['shared/presentation/example.ts', '../adapters/local/outbox-email-sender.ts'],
    ['shared/presentation/web/example.ts', '../../adapters/local/outbox-email-sender.ts'],
    ['shared/adapters/local/example.ts', '../../extraction/textract-document.ts'],
    ['shared/adapters/aws/example.ts', '../../usecases/extract-plan.ts'],
    ['shared/adapters/dynamodb/example.ts', '../../presentation/csv.ts'],
    ['shared/domain/example.ts', '../../functions/lib/http-errors.ts'],
    ['shared/usecases/example.ts', '../../infra/local/local-stack.ts'],
    ['shared/adapters/local/example.ts', '../../../infra/local/local-stack.ts'],
    ['functions/api/example.ts', '../../infra/local/local-stack.ts'],
  ])('%s may not import %s', async (filePath, imported) => {
    const messages = await restrictedImports(filePath, `import { thing } from '${imported}';\nexport const example = thing;\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`'${imported}'`);
  });

  it('catch a re-export across a boundary as well as an import', async () => {
    const messages = await restrictedImports('shared/domain/example.ts', "export type { Upload } from '../ports/upload-store.ts';\n");
    expect(messages).toHaveLength(1);
  });

  it.each([
    ['shared/domain/example.ts', './plan.ts'],
    ['shared/domain/example.ts', 'zod'],
    ['shared/extraction/example.ts', '../domain/textract-response.ts'],
    ['shared/ports/example.ts', '../domain/uploads.ts'],
    ['shared/usecases/example.ts', '../ports/plan-store.ts'],
    ['shared/usecases/example.ts', '../extraction/read-action-plan.ts'],
    ['shared/presentation/web/example.ts', '../../usecases/get-plan.ts'],
    ['shared/adapters/local/example.ts', '../../ports/document-analyser.ts'],
    ['shared/adapters/aws/example.ts', '@aws-sdk/client-s3'],
    ['functions/api/example.ts', '../../shared/adapters/dynamodb/dynamodb-plan-store.ts'],
    ['functions/api/example.ts', '../../shared/usecases/get-plan.ts'],
    ['infra/local/example.ts', '../../shared/adapters/local/outbox-email-sender.ts'],
  ])('%s may import %s', async (filePath, imported) => {
    expect(await restrictedImports(filePath, `import { thing } from '${imported}';\nexport const example = thing;\n`)).toEqual([]);
  });
});
