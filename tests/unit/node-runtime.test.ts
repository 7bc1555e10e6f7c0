import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
};

describe('the Node the tests run on', () => {
  it('is the one the project pins as a dev dependency (`node`, the major of the Lambda runtime), not the system Node', () => {
    // `npm test`, `npm run …` and `npx …` put node_modules/.bin first in PATH, so vitest's
    // `#!/usr/bin/env node` finds the pinned Node; a command that names the system Node runs elsewhere.
    expect(
      process.versions.node,
      `tests run on ${process.execPath}; run them through npm (npm test, npm run test:unit) or npx vitest`,
    ).toBe(packageJson.devDependencies.node);
  });
});
