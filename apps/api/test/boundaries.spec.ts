import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const API_ROOT = path.resolve(__dirname, '..');
const CONFIG = path.join(API_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(API_ROOT, 'node_modules/.bin/depcruise');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** The rules of the config broken by the `src` tree under `root`. */
async function violations(root: string): Promise<Violation[]> {
  const { stdout } = await run(
    DEPCRUISE,
    ['src', '--config', CONFIG, '--output-type', 'json', '--no-progress'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('module boundaries (dependency-cruiser, part of pnpm check)', () => {
  it('holds in the API source', async () => {
    expect(await violations(API_ROOT)).toEqual([]);
  });

  it('fails on a tree that breaks each rule', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(CONFIG) as { forbidden: Array<{ name: string }> };
    const broken = await violations(path.join(API_ROOT, 'test/fixtures/boundaries'));
    expect(new Set(broken.map((violation) => violation.rule.name))).toEqual(
      new Set(config.forbidden.map((rule) => rule.name)),
    );
  });
});
