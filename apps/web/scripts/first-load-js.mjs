// First-load JavaScript of a page, measured from the build: Next's root chunks plus every chunk
// the page's client-reference manifest lists for its segments (layouts, boundaries, the page),
// each counted once, raw and gzipped. `node scripts/first-load-js.mjs [distDir]` prints a table.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const WEB_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The routes worth watching, by their app-directory entry. */
export const ROUTES = {
  thread: '/threads/[id]/page',
  inbox: '/threads/page',
  home: '/(home)/page',
  notifications: '/notifications/page',
  login: '/login/page',
};

/**
 * @param {string} route an app entry such as `/threads/[id]/page`
 * @param {string} distDir relative to apps/web
 * @returns {{ files: number, raw: number, gzip: number } | null} null when the build lacks it
 */
export function firstLoadJs(route, distDir = '.next') {
  const root = join(WEB_ROOT, distDir);
  const manifestFile = join(root, 'server/app', `${route}_client-reference-manifest.js`);
  if (!existsSync(manifestFile)) return null;
  // The manifest is a script that assigns to globalThis.__RSC_MANIFEST.
  const sandbox = { __RSC_MANIFEST: {} };
  new Function('globalThis', 'self', readFileSync(manifestFile, 'utf8'))(sandbox, sandbox);
  const manifest = sandbox.__RSC_MANIFEST[route];
  const build = createRequire(import.meta.url)(join(root, 'build-manifest.json'));
  const files = new Set(build.rootMainFiles);
  for (const chunks of Object.values(manifest.entryJSFiles)) {
    for (const chunk of chunks) files.add(chunk);
  }
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(root, file));
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return { files: files.size, raw, gzip };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const distDir = process.argv[2] ?? '.next';
  for (const [name, route] of Object.entries(ROUTES)) {
    const size = firstLoadJs(route, distDir);
    const text = size
      ? `${(size.gzip / 1024).toFixed(1)} KiB gzipped, ${(size.raw / 1024).toFixed(1)} KiB raw, ${size.files} files (${size.gzip} B)`
      : 'not in this build';
    process.stdout.write(`${name.padEnd(14)} ${route.padEnd(22)} ${text}\n`);
  }
}
