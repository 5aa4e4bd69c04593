import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  RELIABILITY_DOC,
  RELIABILITY_RESULTS,
  type ReliabilityRun,
  renderTable,
  withTable,
} from './support/report';
import { ROWS } from './support/rows';

/**
 * docs/RELIABILITY.md is generated: it must say what the recorded full run measured. (The run
 * that records a new one, HARDENING_RECORD=1, rewrites both files when it ends instead.)
 */
describe.skipIf(process.env.HARDENING_RECORD === '1')('docs/RELIABILITY.md', () => {
  const run = () => JSON.parse(readFileSync(RELIABILITY_RESULTS, 'utf8')) as ReliabilityRun;

  it('has a recorded result that held for every row, from the full profile', () => {
    const { profile, rows } = run();
    expect(profile).toBe('full');
    expect(rows.map((row) => row.id)).toEqual(ROWS.map((row) => row.id));
    for (const row of rows) expect(row.outcome, row.id).toBe('held');
  });

  it('shows the table rendered from docs/reliability-results.json', async () => {
    const document = readFileSync(RELIABILITY_DOC, 'utf8');
    expect(document).toBe(await withTable(document, renderTable(run())));
  });
});
