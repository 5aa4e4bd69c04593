import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { REPOSITORY_ROOT, RESULTS_DIR } from './results';
import { type RecordedRow, ROWS } from './rows';

export const RELIABILITY_DOC = join(REPOSITORY_ROOT, 'docs/RELIABILITY.md');
export const RELIABILITY_RESULTS = join(REPOSITORY_ROOT, 'docs/reliability-results.json');
export const TABLE_START =
  '<!-- reliability-table:start (generated from docs/reliability-results.json) -->';
export const TABLE_END = '<!-- reliability-table:end -->';

export interface ReliabilityRun {
  profile: string;
  recordedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  rows: RecordedRow[];
}

/** The rows a run left in the results directory, in table order. */
export function collectRun(): ReliabilityRun {
  const rows = existsSync(RESULTS_DIR)
    ? readdirSync(RESULTS_DIR)
        .filter((name) => name.endsWith('.json'))
        .map((name) => JSON.parse(readFileSync(join(RESULTS_DIR, name), 'utf8')) as RecordedRow)
    : [];
  const order = new Map<string, number>(ROWS.map((row, index) => [row.id, index]));
  rows.sort((left, right) => (order.get(left.id) ?? 99) - (order.get(right.id) ?? 99));
  const profiles = [...new Set(rows.map((row) => row.profile))];
  return {
    profile: profiles.join('+') || 'none',
    recordedAt:
      rows
        .map((row) => row.recordedAt)
        .sort()
        .at(-1) ?? new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    rows,
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The generated part of RELIABILITY.md: the table, grouped by section. */
export function renderTable(run: ReliabilityRun): string {
  const byId = new Map(run.rows.map((row) => [row.id, row]));
  const { machine } = run;
  const lines = [
    `Recorded by \`pnpm test:hardening\` with the \`${run.profile}\` profile on ${run.recordedAt.slice(0, 10)}: ` +
      `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}.`,
    '',
  ];
  let number = 0;
  for (const section of ['Faults', 'Hostile input'] as const) {
    lines.push(`### ${section}`, '');
    lines.push('| # | Fault or attack | What was tried | How much | Result | Held | Test |');
    lines.push('| - | - | - | - | - | - | - |');
    for (const row of ROWS.filter((candidate) => candidate.section === section)) {
      number++;
      const result = byId.get(row.id);
      const test =
        `\`apps/api/test/hardening/${row.test}\`` +
        ('alsoCoveredBy' in row ? `; also \`apps/api/test/${row.alsoCoveredBy}\`` : '');
      lines.push(
        `| ${number} | ${cell(row.title)} | ${cell(result?.tried ?? '—')} | ${cell(result?.amount ?? '—')} | ` +
          `${cell(result?.result ?? 'not recorded')} | ${result ? (result.outcome === 'held' ? 'yes' : '**no**') : '**missing**'} | ${test} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

async function prettierFormat(text: string, filepath: string): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return format(text, { ...options, filepath });
}

/** RELIABILITY.md with the marked part replaced by `table`, formatted as `pnpm check` wants. */
export async function withTable(document: string, table: string): Promise<string> {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${RELIABILITY_DOC} has no table markers`);
  const updated = `${document.slice(0, start + TABLE_START.length)}\n\n${table}\n${document.slice(end)}`;
  return prettierFormat(updated, RELIABILITY_DOC);
}

/** Writes the run's JSON and table into docs/ (HARDENING_RECORD=1). */
export async function recordRun(run: ReliabilityRun): Promise<void> {
  writeFileSync(
    RELIABILITY_RESULTS,
    await prettierFormat(JSON.stringify(run, null, 2), RELIABILITY_RESULTS),
  );
  const document = readFileSync(RELIABILITY_DOC, 'utf8');
  writeFileSync(RELIABILITY_DOC, await withTable(document, renderTable(run)));
}
