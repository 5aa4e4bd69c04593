import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_ROOT, REPOSITORY_ROOT } from '../paths';
import { type BenchResults } from '../results';
import { formatted } from './format';
import { renderReport } from './markdown';

export const RESULTS_DIRECTORY = join(BENCH_ROOT, 'results');
export const FINDINGS_FILE = join(BENCH_ROOT, 'findings.md');
export const REPORT_FILE = join(REPOSITORY_ROOT, 'docs/BENCHMARKS.md');
export const CHARTS_DIRECTORY = join(REPOSITORY_ROOT, 'docs/benchmarks');

/** The newest full-profile results file, by name (names sort by date). */
export function latestFullResults(): string | null {
  try {
    const files = readdirSync(RESULTS_DIRECTORY)
      .filter((file) => /^\d{4}-\d{2}-\d{2}T[\d-]+Z\.json$/.test(file))
      .sort();
    return files.at(-1) ?? null;
  } catch {
    return null;
  }
}

/** docs/BENCHMARKS.md (formatted) and its charts, as the results file `file` makes them. */
export async function renderReportFile(
  file: string,
): Promise<{ markdown: string; charts: Record<string, string> }> {
  const results = JSON.parse(readFileSync(join(RESULTS_DIRECTORY, file), 'utf8')) as BenchResults;
  const findings = readFileSync(FINDINGS_FILE, 'utf8');
  const report = renderReport(results, { resultsFile: `bench/results/${file}`, findings });
  return { markdown: await formatted(REPORT_FILE, report.markdown), charts: report.charts };
}

/** Writes docs/BENCHMARKS.md and its charts from a results file under bench/results/. */
export async function writeReport(file: string): Promise<void> {
  const report = await renderReportFile(file);
  mkdirSync(CHARTS_DIRECTORY, { recursive: true });
  for (const [name, svg] of Object.entries(report.charts)) {
    writeFileSync(join(CHARTS_DIRECTORY, name), svg);
  }
  writeFileSync(REPORT_FILE, report.markdown);
}
