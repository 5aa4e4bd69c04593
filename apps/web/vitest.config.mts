import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: [
      'lib/**/*.spec.ts',
      'components/**/*.spec.ts',
      'modules/**/*.spec.ts',
      'i18n/**/*.spec.ts',
      'test/**/*.spec.ts',
    ],
    // The browser suites share two cores with the servers they start: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
