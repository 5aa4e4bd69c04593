import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:hardening`: faults, hostile input and protocol conformance (test/hardening). One
 * file at a time: several measure latency or memory against a baseline taken in the same run.
 */
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/hardening/**/*.spec.ts'],
    globalSetup: ['test/hardening/global-setup.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
