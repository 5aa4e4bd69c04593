import { rmSync } from 'node:fs';
import { ensureApiBuilt } from '../support/api-build';
import { collectRun, recordRun } from './support/report';
import { RESULTS_DIR } from './support/results';

/** Builds the API once for the process tests, and starts every run with an empty results folder. */
export function setup(): void {
  ensureApiBuilt();
  rmSync(RESULTS_DIR, { recursive: true, force: true });
}

/** With HARDENING_RECORD=1, the run's figures go into docs/RELIABILITY.md. */
export async function teardown(): Promise<void> {
  if (process.env.HARDENING_RECORD !== '1') return;
  await recordRun(collectRun());
  console.log('docs/RELIABILITY.md and docs/reliability-results.json updated from this run');
}
