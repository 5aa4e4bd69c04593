import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onTestFinished } from 'vitest';
import { PROFILE } from './profile';
import { type RecordedRow, type RowId, type RowResult } from './rows';

export const REPOSITORY_ROOT = resolve(__dirname, '../../../../..');
/** Where a run leaves one JSON file per row (git-ignored). */
export const RESULTS_DIR =
  process.env.HARDENING_RESULTS_DIR ?? resolve(__dirname, '../../../.hardening/results');

/**
 * Records what the running test measured for a row. Call it once the figures are in and before
 * asserting on them: the row is written when the test finishes, marked `held` or `failed`.
 */
export function record(id: RowId, result: RowResult): void {
  console.log(`[${id}] ${result.tried} | ${result.amount} | ${result.result}`);
  onTestFinished(({ task }) => {
    const row: RecordedRow = {
      id,
      ...result,
      outcome: task.result?.state === 'pass' ? 'held' : 'failed',
      profile: PROFILE.name,
      recordedAt: new Date().toISOString(),
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, `${id}.json`), `${JSON.stringify(row, null, 2)}\n`);
  });
}

/** `12.3` with a fixed number of decimals, for the table. */
export function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}

export function percentile(values: readonly number[], fraction: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}
