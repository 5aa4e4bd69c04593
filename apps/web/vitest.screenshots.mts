import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm docs:screenshots` only: the test suite (vitest.config.mts) never writes docs/images.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: ['screenshots/**/*.shots.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
