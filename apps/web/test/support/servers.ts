import { createRequire } from 'node:module';
import { expectEventually, freePort, spawnChild } from '@chat/test-support';
import { prepareStandalone, WEB_ROOT } from '../../scripts/standalone.mjs';

export * from './processes';

export interface WebServer {
  baseUrl: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs the built standalone server (`node <distDir>/standalone/apps/web/server.js`) the way the
 * image does: `public/` and `.next/static/` copied beside it, PORT and HOSTNAME=0.0.0.0 set.
 */
export async function startWeb(
  environment: Record<string, string>,
  distDir = '.next',
): Promise<WebServer> {
  const server = prepareStandalone(distDir);
  const port = await freePort();
  const web = spawnChild(process.execPath, [server], {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    HOSTNAME: '0.0.0.0',
    ...environment,
  });
  const { child, output } = web;
  const baseUrl = `http://127.0.0.1:${port}`;
  await expectEventually(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`web exited with ${child.exitCode}:\n${output()}`);
      const response = await fetch(`${baseUrl}/`);
      if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  return {
    baseUrl,
    port,
    output,
    async stop() {
      await web.stop();
    },
  };
}

/** Runs `next build` for a flag variant into its own distDir; returns that distDir. */
export async function buildVariant(name: string, flags: Record<string, string>): Promise<string> {
  const distDir = `.next-variants/${name}`;
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const build = spawnChild(
    process.execPath,
    [nextBin, 'build'],
    {
      HOME: process.env.HOME ?? '',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_DIST_DIR: distDir,
      ...flags,
    },
    WEB_ROOT,
  );
  const code = await build.exited;
  if (code !== 0) throw new Error(`next build (${name}) failed with ${code}:\n${build.output()}`);
  return distDir;
}
