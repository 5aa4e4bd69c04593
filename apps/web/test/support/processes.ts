import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Child, expectEventually, freePort, spawnChild } from '@chat/test-support';

export const API_ENTRY = fileURLToPath(new URL('../../../api/dist/main.js', import.meta.url));
export const INTERNAL_TOKEN = 'web-e2e-internal-token-0123456789';

export interface ApiProcess extends Child {
  port: number;
  baseUrl: string;
}

/** Runs the built API (`node apps/api/dist/main.js`) as production does. */
export async function spawnApi(
  environment: Record<string, string>,
  port?: number,
): Promise<ApiProcess> {
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} is missing: build the API first`);
  const apiPort = port ?? (await freePort());
  const child = spawnChild(process.execPath, [API_ENTRY], {
    LOG_LEVEL: 'warn',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    // Every browser of the suite signs in from this one address, as the same few users.
    LOGIN_RATE_PER_IP: '0',
    LOGIN_RATE_PER_ACCOUNT: '0',
    METRICS_PORT: String(await freePort()),
    ...environment,
    PORT: String(apiPort),
  });
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await expectEventually(
    async () => {
      if (child.child.exitCode !== null) {
        throw new Error(`API exited with ${child.child.exitCode}:\n${child.output()}`);
      }
      const response = await fetch(`${baseUrl}/api/health/ready`);
      if (response.status !== 200) throw new Error(`not ready: ${response.status}`);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  return { ...child, port: apiPort, baseUrl };
}
