import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { API_ENTRY } from './api-process';

const API_ROOT = resolve(__dirname, '../..');

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` when a source file is newer than `dist/main.js`, so a process test never runs
 * stale code (turbo builds before `pnpm test`; this covers running vitest directly).
 */
export function ensureApiBuilt(): void {
  let builtAt = 0;
  try {
    builtAt = statSync(API_ENTRY).mtimeMs;
  } catch {
    // not built yet
  }
  if (newestMtime(join(API_ROOT, 'src')) <= builtAt) return;
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: API_ROOT,
      stdio: 'inherit',
    },
  );
}
