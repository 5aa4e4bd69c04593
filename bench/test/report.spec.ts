import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHARTS_DIRECTORY,
  latestFullResults,
  renderReportFile,
  REPORT_FILE,
} from '../src/report/report-files';

/** docs/BENCHMARKS.md is generated: it must be what the latest full run and findings make. */
describe('docs/BENCHMARKS.md', () => {
  it('is the report of the latest full run (regenerate: pnpm bench --report)', async () => {
    const latest = latestFullResults();
    expect(latest, 'a full run in bench/results/').not.toBeNull();
    const report = await renderReportFile(latest!);

    expect(readFileSync(REPORT_FILE, 'utf8')).toBe(report.markdown);
    expect(readdirSync(CHARTS_DIRECTORY).sort()).toEqual(Object.keys(report.charts).sort());
    for (const [name, svg] of Object.entries(report.charts)) {
      expect(readFileSync(join(CHARTS_DIRECTORY, name), 'utf8'), name).toBe(svg);
    }
  });
});
