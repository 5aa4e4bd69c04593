import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expectEventually, freePort } from '@chat/test-support';
import { INTERNAL_TOKEN } from './api-instance';

export const API_ENTRY = join(__dirname, '../../dist/main.js');

export interface ApiProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The environment of an API process on Redis with the demo data, quiet logs and the test
 * internal token; `overrides` add to it or replace any of it.
 */
export function redisEnvironment(
  redisUrl: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_URL: redisUrl,
    DEMO_SEED: 'true',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    ...overrides,
  };
}

/**
 * Runs the built API (`node dist/main.js`) as its own process, as production does, with only
 * the given environment (plus PATH). Build first: `pnpm --filter @chat/api build`.
 */
export async function spawnApi(
  environment: Record<string, string>,
  options: { waitReady?: boolean; nodeArguments?: string[] } = {},
): Promise<ApiProcess> {
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} is missing: build the API first`);
  const port = environment.PORT ? Number(environment.PORT) : await freePort();
  const child = spawn(process.execPath, [...(options.nodeArguments ?? []), API_ENTRY], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const handle: ApiProcess = {
    child,
    baseUrl,
    port,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitReady !== false) {
    await expectEventually(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`API exited with ${child.exitCode}:\n${output}`);
        const response = await fetch(`${baseUrl}/api/health/ready`);
        if (response.status !== 200) throw new Error(`not ready: ${response.status}`);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
  }
  return handle;
}
