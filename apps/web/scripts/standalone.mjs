// Lays out Next's standalone output the way the container image does, so that the generated
// server.js can run unmodified: `public/` and `.next/static/` beside it.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} distDir the build's distDir, relative to apps/web (`.next` unless a variant)
 * @returns {string} the path of the server.js to run
 */
export function prepareStandalone(distDir = '.next') {
  const standalone = join(WEB_ROOT, distDir, 'standalone');
  const appDirectory = join(standalone, 'apps/web');
  const server = join(appDirectory, 'server.js');
  if (!existsSync(server)) {
    throw new Error(`${server} is missing: run the build first (pnpm --filter @chat/web build)`);
  }
  const staticTarget = join(appDirectory, distDir, 'static');
  rmSync(staticTarget, { recursive: true, force: true });
  cpSync(join(WEB_ROOT, distDir, 'static'), staticTarget, { recursive: true });
  rmSync(join(appDirectory, 'public'), { recursive: true, force: true });
  cpSync(join(WEB_ROOT, 'public'), join(appDirectory, 'public'), { recursive: true });
  return server;
}
