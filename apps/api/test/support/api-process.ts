import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Child,
  expectEventually,
  freePort,
  spawnChild,
  spawnInTerminal,
} from '@chat/test-support';
import { INTERNAL_TOKEN } from './api-instance';

export const API_ENTRY = join(__dirname, '../../dist/main.js');

export interface ApiProcess extends Child {
  baseUrl: string;
  port: number;
  /** The Prometheus listener, on its own port. */
  metricsUrl: string;
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
 * the given environment (plus PATH). Build first: `pnpm --filter @chat/api build`. With
 * `terminal`, its output is a pseudo-terminal, as when a person starts it by hand.
 */
export async function spawnApi(
  environment: Record<string, string>,
  options: { waitReady?: boolean; nodeArguments?: string[]; terminal?: boolean } = {},
): Promise<ApiProcess> {
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} is missing: build the API first`);
  const port = environment.PORT ? Number(environment.PORT) : await freePort();
  const metricsPort = environment.METRICS_PORT
    ? Number(environment.METRICS_PORT)
    : await freePort();
  const spawnProcess = options.terminal ? spawnInTerminal : spawnChild;
  const child = spawnProcess(process.execPath, [...(options.nodeArguments ?? []), API_ENTRY], {
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    ...environment,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const handle: ApiProcess = { ...child, baseUrl, port, metricsUrl };
  if (options.waitReady !== false) {
    await expectEventually(
      async () => {
        if (child.child.exitCode !== null)
          throw new Error(`API exited with ${child.child.exitCode}:\n${child.output()}`);
        const response = await fetch(`${baseUrl}/api/health/ready`);
        if (response.status !== 200) throw new Error(`not ready: ${response.status}`);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
  }
  return handle;
}
