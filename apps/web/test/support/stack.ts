import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { expectEventually, freePort, LoopbackEdge, RedisServer } from '@chat/test-support';
import { launchBrowser } from './browser';
import { spawnApi, startWeb, type ApiProcess, type WebServer } from './servers';

/**
 * The whole system on loopback, as production runs it: the built standalone web server, the
 * built API on a real redis-server, a loopback edge that sends `/api/ws/*` to the API (with
 * `/api` stripped) and everything else to the web server, and Debian's Chromium.
 */
export interface Stack {
  redis: RedisServer;
  api: ApiProcess;
  apiEnvironment: Record<string, string>;
  web: WebServer;
  edge: LoopbackEdge;
  browser: Browser;
  /** Stops the API (SIGTERM); `startApi` brings it back on the same port. */
  stopApi(): Promise<void>;
  startApi(): Promise<void>;
}

/** Starts the stack before the file's tests and stops it after; a failing test prints the servers' last words. */
export function useStack(apiEnvironment: Record<string, string> = {}): Stack {
  const stack = {} as Stack;

  beforeAll(async () => {
    const [redis, edgePort, browser] = await Promise.all([
      RedisServer.start({ durable: false }),
      freePort(),
      launchBrowser(),
    ]);
    stack.redis = redis;
    stack.browser = browser;
    stack.apiEnvironment = {
      REDIS_URL: redis.url,
      DEMO_SEED: 'true',
      ALLOWED_ORIGINS: `http://127.0.0.1:${edgePort}`,
      WS_HEARTBEAT_MS: '5000',
      ...apiEnvironment,
    };
    stack.api = await spawnApi(stack.apiEnvironment);
    stack.web = await startWeb({ API_INTERNAL_URL: stack.api.baseUrl });
    stack.edge = await LoopbackEdge.start(
      { webPort: stack.web.port, apiPort: stack.api.port },
      edgePort,
    );
    stack.stopApi = async () => {
      await stack.api.stop('SIGTERM');
    };
    stack.startApi = async () => {
      stack.api = await spawnApi(stack.apiEnvironment, stack.api.port);
    };
  });

  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    const tail = (text: string) => text.split('\n').slice(-40).join('\n');
    console.error(`API output (last lines):\n${tail(stack.api?.output() ?? '')}`);
    console.error(`web output (last lines):\n${tail(stack.web?.output() ?? '')}`);
  });

  afterAll(async () => {
    await stack.browser?.close();
    await stack.edge?.stop();
    await stack.web?.stop();
    await stack.api?.stop();
    await stack.redis?.dispose();
  });

  return stack;
}

/** Waits until the page's shared socket says it is live. */
export async function waitConnected(page: Page): Promise<void> {
  await expectEventually(async () =>
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('connected'),
  );
}

/** The bodies of the confirmed messages on screen, in `seq` order of the DOM. */
export async function messageBodies(page: Page): Promise<Array<{ seq: number; body: string }>> {
  return page.getByTestId('message').evaluateAll((items) =>
    items.map((item) => ({
      seq: Number((item as HTMLElement).dataset.seq),
      body: item.querySelector('.message-body')?.textContent ?? '',
    })),
  );
}
