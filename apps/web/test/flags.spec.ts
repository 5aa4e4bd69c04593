import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signedInPage } from './support/browser';
import {
  buildVariant,
  spawnApi,
  startWeb,
  type ApiProcess,
  type WebServer,
} from './support/servers';

// Each variant is a real `next build` with the flag off, run as the standalone server: the flags
// are inlined at build time, so nothing less shows what ships.
describe('build-time flags', () => {
  let browser: Browser;
  let api: ApiProcess;
  const started: WebServer[] = [];

  beforeAll(async () => {
    [browser, api] = await Promise.all([launchBrowser(), spawnApi({})]);
  });

  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    await Promise.all([browser?.close(), api?.stop()]);
  });

  it('NEXT_PUBLIC_THREADS_ENABLED=false: no sidebar item and /threads is 404', async () => {
    const distDir = await buildVariant('threads-off', {
      NEXT_PUBLIC_THREADS_ENABLED: 'false',
      NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED: 'true',
    });
    const web = await startWeb({ API_INTERNAL_URL: api.baseUrl }, distDir);
    started.push(web);

    expect((await fetch(`${web.baseUrl}/`)).status).toBe(200);
    expect((await fetch(`${web.baseUrl}/threads`)).status).toBe(404);
    expect((await fetch(`${web.baseUrl}/threads/th_bk_1001`)).status).toBe(404);

    const { context, page } = await signedInPage(browser, web.baseUrl, 'linh@demo.test');
    await page.goto('/');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Home' })
      .waitFor();
    expect(await page.getByTestId('nav-threads').count()).toBe(0);
    await page.goto('/threads');
    await page.getByTestId('not-found').waitFor();
    await context.close();
  });

  it('NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED=false: the thread has no people-info header', async () => {
    const distDir = await buildVariant('header-off', {
      NEXT_PUBLIC_THREADS_ENABLED: 'true',
      NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED: 'false',
    });
    const web = await startWeb({ API_INTERNAL_URL: api.baseUrl }, distDir);
    started.push(web);

    const { context, page } = await signedInPage(browser, web.baseUrl, 'alice@demo.test');
    const headerRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/header')) headerRequests.push(request.url());
    });
    await page.goto('/threads/th_bk_1001');
    await page.getByTestId('thread-view').waitFor();
    await page.getByTestId('composer-input').waitFor();
    expect(await page.getByTestId('thread-header').count()).toBe(0);
    expect(headerRequests).toEqual([]);
    // The threads flag is independent: the console is still there.
    await page.getByTestId('nav-threads').waitFor();
    await context.close();
  });
});
