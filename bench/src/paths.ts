import { join } from 'node:path';

/**
 * The compiled harness. Load workers and the contender servers always run from here, also when
 * the orchestrator itself runs from sources (the vitest smoke test): this file sits directly in
 * `src/` or `dist/`, so `../dist` is the same directory from both.
 */
export const BENCH_DIST = join(__dirname, '..', 'dist');
export const BENCH_ROOT = join(__dirname, '..');
export const REPOSITORY_ROOT = join(BENCH_ROOT, '..');
