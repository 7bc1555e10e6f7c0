import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'shared/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['tests/setup/dynamodb-local.ts'],
  },
});
