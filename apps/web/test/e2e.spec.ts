import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signedInPage } from './support/browser';
import { ChatApiClient } from './support/chat-api';
import { expectEventually, freePort, LoopbackEdge, RedisServer } from '@chat/test-support';
import { spawnApi, startWeb, type ApiProcess, type WebServer } from './support/servers';

const THREAD = 'th_bk_1001';
const measurements: Record<string, number> = {};

/**
 * Badge text, or null when there is no badge, read in one step without waiting: a badge that
 * goes away between two steps (a count that clears) must not leave a wait for it behind.
 */
async function badge(scope: Page | Locator, testId: string): Promise<string | null> {
  const [text] = await scope.getByTestId(testId).allTextContents();
  return text === undefined ? null : text.trim();
}

async function messageTexts(page: Page): Promise<string[]> {
  return page.getByTestId('message').locator('.message-body').allTextContents();
}

/** Marks the document so a later check can prove no reload happened. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 1));
}

async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker === 1);
}

// Built standalone web server + the built API on a real redis-server + a loopback edge that
// routes /api/ws/* to the API (with /api stripped) and everything else to the web server.
describe('web app end to end', () => {
  let redis: RedisServer;
  let api: ApiProcess;
  let apiEnvironment: Record<string, string>;
  let web: WebServer;
  let edge: LoopbackEdge;
  let browser: Browser;

  beforeAll(async () => {
    const [redisServer, edgePort, launched] = await Promise.all([
      RedisServer.start({ durable: false }),
      freePort(),
      launchBrowser(),
    ]);
    redis = redisServer;
    browser = launched;
    apiEnvironment = {
      REDIS_URL: redis.url,
      DEMO_SEED: 'true',
      ALLOWED_ORIGINS: `http://127.0.0.1:${edgePort}`,
      WS_HEARTBEAT_MS: '5000',
    };
    api = await spawnApi(apiEnvironment);
    web = await startWeb({ API_INTERNAL_URL: api.baseUrl });
    edge = await LoopbackEdge.start({ webPort: web.port, apiPort: api.port }, edgePort);
  });

  // A failure in the browser is often a server's: show what the servers said.
  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    const tail = (text: string) => text.split('\n').slice(-40).join('\n');
    console.error(`API output (last lines):\n${tail(api?.output() ?? '')}`);
    console.error(`web output (last lines):\n${tail(web?.output() ?? '')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await web?.stop();
    await api?.stop();
    await redis?.dispose();
    console.log('measurements', JSON.stringify(measurements));
  });

  it('serves GET / with 200 and logs in and out through the proxy', async () => {
    expect((await fetch(`${edge.origin}/`)).status).toBe(200);
    expect((await fetch(`${web.baseUrl}/`)).status).toBe(200);
    const context = await browser.newContext({ baseURL: edge.origin });
    const page = await context.newPage();
    await page.goto('/threads');
    await page.waitForURL(/\/login\?next=%2Fthreads/);
    await page.getByLabel('Email').fill('alice@demo.test');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Wrong email or password.').waitFor();
    await page.getByLabel('Password').fill('demo1234');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/threads$/);
    await page.getByTestId(`thread-row-${THREAD}`).waitFor();
    await page.getByTestId('nav-threads').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain('Alice');
    // A second tab of the same session is signed out too: its socket closes with 4401.
    const secondTab = await context.newPage();
    await secondTab.goto('/');
    await expectEventually(async () =>
      expect(await secondTab.getByTestId('connection-state').getAttribute('data-state')).toBe(
        'connected',
      ),
    );
    await page.getByTestId('user-menu-button').click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await secondTab.waitForURL(/\/login/, { timeout: 10_000 });
    await page.goto('/threads');
    await page.waitForURL(/\/login/);
    await context.close();
  });

  it('alice sends, linh sees it in under 2 s without a reload; linh’s unread badge counts it and clears when she reads', async () => {
    const alice = await signedInPage(browser, edge.origin, 'alice@demo.test');
    const linh = await signedInPage(browser, edge.origin, 'linh@demo.test');
    await Promise.all([
      alice.page.goto(`/threads/${THREAD}`),
      linh.page.goto(`/threads/${THREAD}`),
    ]);
    for (const { page } of [alice, linh]) {
      await page.getByTestId('composer-input').waitFor();
      await expectEventually(async () =>
        expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe(
          'connected',
        ),
      );
    }
    await markDocument(linh.page);

    const text = `Hello Linh, arriving now ${Date.now()}`;
    await alice.page.getByTestId('composer-input').fill(text);
    const sentAt = Date.now();
    await alice.page.getByTestId('composer-input').press('Enter');
    await linh.page.getByTestId('message').getByText(text).waitFor({ timeout: 2_000 });
    measurements.messageArrivalMs = Date.now() - sentAt;
    expect(measurements.messageArrivalMs).toBeLessThan(2_000);
    expect(await stillSameDocument(linh.page)).toBe(true);
    // Screen readers hear it: the live region carries the incoming message.
    expect(await linh.page.getByTestId('incoming-announcer').textContent()).toContain(text);
    // Alice's own optimistic copy settled into exactly one message.
    await expectEventually(async () =>
      expect((await messageTexts(alice.page)).filter((body) => body === text)).toHaveLength(1),
    );
    expect(await alice.page.getByTestId('pending-message').count()).toBe(0);

    // Linh leaves the thread for the console; the next message is unread for her.
    await linh.page.getByTestId('nav-threads').click();
    await linh.page.getByTestId(`thread-row-${THREAD}`).waitFor();
    await expectEventually(async () =>
      expect(await badge(linh.page, 'threads-unread-badge')).toBeNull(),
    );
    const second = `Are you there? ${Date.now()}`;
    await alice.page.getByTestId('composer-input').fill(second);
    await alice.page.getByTestId('composer-input').press('Enter');
    await expectEventually(async () => {
      expect(await badge(linh.page, 'threads-unread-badge')).toMatch(/^1/);
      expect(
        await badge(linh.page.getByTestId(`thread-row-${THREAD}`), 'thread-unread-badge'),
      ).toMatch(/^1/);
      expect(await linh.page.getByTestId(`thread-row-${THREAD}`).textContent()).toContain(second);
    });
    expect(await stillSameDocument(linh.page)).toBe(true);

    // Opening the thread puts the message on screen: it is read, and the badge clears.
    await linh.page.getByTestId(`thread-row-${THREAD}`).click();
    await linh.page.getByTestId('message').getByText(second).waitFor();
    await expectEventually(async () =>
      expect(await badge(linh.page, 'threads-unread-badge')).toBeNull(),
    );
    expect(await stillSameDocument(linh.page)).toBe(true);
    await Promise.all([alice.context.close(), linh.context.close()]);
  });

  it('shows typing, presence and the people-info header', async () => {
    const alice = await signedInPage(browser, edge.origin, 'alice@demo.test');
    const linh = await signedInPage(browser, edge.origin, 'linh@demo.test');
    await linh.page.goto(`/threads/${THREAD}`);
    await linh.page.getByTestId('composer-input').waitFor();
    await alice.page.goto(`/threads/${THREAD}`);
    const header = alice.page.getByTestId('thread-header');
    await header.waitFor();
    expect(await header.textContent()).toMatch(/Creator.*Alice.*Manager.*Linh/s);
    await expectEventually(async () =>
      expect(await header.getByRole('img', { name: /Linh.* is online/ }).count()).toBeGreaterThan(
        0,
      ),
    );
    await alice.page.getByTestId('composer-input').pressSequentially('typing…');
    await expectEventually(async () =>
      expect(await linh.page.getByTestId('typing-indicator').textContent()).toMatch(
        /Alice.*typing/,
      ),
    );
    // Linh leaves: her dot goes grey on Alice's page without a reload.
    await linh.context.close();
    await expectEventually(
      async () =>
        expect(
          await header.getByRole('img', { name: /Linh.* is offline/ }).count(),
        ).toBeGreaterThan(0),
      { timeoutMs: 15_000 },
    );
    await alice.context.close();
  });

  it('a notification from the internal route updates grace’s bell without a reload', async () => {
    const grace = await signedInPage(browser, edge.origin, 'grace@demo.test');
    const sockets: string[] = [];
    grace.page.on('websocket', (socket) => sockets.push(socket.url()));
    await grace.page.goto('/');
    const bell = grace.page.getByTestId('bell-button');
    await bell.waitFor();
    await expectEventually(async () =>
      expect(await grace.page.getByTestId('connection-state').getAttribute('data-state')).toBe(
        'connected',
      ),
    );
    await markDocument(grace.page);
    const before = Number((await badge(grace.page, 'bell-badge')) ?? 0);

    const internal = new ChatApiClient(api.baseUrl);
    const createdAt = Date.now();
    await internal.notify(
      'u_grace',
      'Booking BK-2001 was paid',
      'Payment received',
      '/threads/th_bk_2001',
    );
    await expectEventually(async () =>
      expect(Number(await badge(grace.page, 'bell-badge'))).toBe(before + 1),
    );
    measurements.bellUpdateMs = Date.now() - createdAt;
    await internal.notify('u_grace', 'Booking BK-1001 changed', '<b>not bold</b>');
    await expectEventually(async () =>
      expect(Number(await badge(grace.page, 'bell-badge'))).toBe(before + 2),
    );
    expect(await stillSameDocument(grace.page)).toBe(true);

    await bell.click();
    const panel = grace.page.getByTestId('bell-panel');
    await panel.getByText('Booking BK-2001 was paid').waitFor();
    expect(await panel.getByText('<b>not bold</b>').count()).toBe(1);
    expect(await panel.locator('b').count()).toBe(0);

    await panel.getByRole('button', { name: 'Mark "Booking BK-2001 was paid" read' }).click();
    await expectEventually(async () =>
      expect(Number(await badge(grace.page, 'bell-badge'))).toBe(before + 1),
    );
    await panel.getByRole('button', { name: 'Mark all read' }).click();
    await expectEventually(async () => expect(await badge(grace.page, 'bell-badge')).toBeNull());
    // One socket per tab, same-origin through the edge, kept across sections.
    await grace.page.keyboard.press('Escape');
    await grace.page.getByTestId('nav-threads').click();
    await grace.page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await grace.page.getByRole('link', { name: 'Home', exact: true }).click();
    await grace.page.getByRole('heading', { name: 'Welcome' }).waitFor();
    expect(sockets).toEqual([`${edge.origin.replace('http', 'ws')}/api/ws/chat`]);
    // The server agrees: a fresh page shows no unread.
    await grace.page.reload();
    await bell.waitFor();
    await expectEventually(async () =>
      expect(await bell.getAttribute('aria-label')).toBe('Notifications'),
    );
    await grace.context.close();
  });

  it('@linh in a message, completed from the composer, raises linh’s bell', async () => {
    const alice = await signedInPage(browser, edge.origin, 'alice@demo.test');
    const linh = await signedInPage(browser, edge.origin, 'linh@demo.test');
    await linh.page.goto('/');
    await linh.page.getByTestId('bell-button').waitFor();
    await expectEventually(async () =>
      expect(await linh.page.getByTestId('connection-state').getAttribute('data-state')).toBe(
        'connected',
      ),
    );
    const before = Number((await badge(linh.page, 'bell-badge')) ?? 0);

    await alice.page.goto(`/threads/${THREAD}`);
    const input = alice.page.getByTestId('composer-input');
    await input.waitFor();
    await input.pressSequentially('Please check @li');
    await alice.page.getByTestId('mention-option').getByText('@linh').waitFor();
    expect(await input.getAttribute('aria-expanded')).toBe('true');
    await input.press('Enter');
    expect(await input.inputValue()).toBe('Please check @linh ');
    await input.pressSequentially('the invoice');
    await input.press('Enter');
    await alice.page.getByTestId('message').getByText('Please check @linh the invoice').waitFor();

    await expectEventually(async () =>
      expect(Number(await badge(linh.page, 'bell-badge'))).toBe(before + 1),
    );
    await linh.page.getByTestId('bell-button').click();
    await linh.page.getByTestId('bell-item').first().waitFor();
    await Promise.all([alice.context.close(), linh.context.close()]);
  });

  it('somchai opening BK-1001 sees a forbidden page, not the thread', async () => {
    const somchai = await signedInPage(browser, edge.origin, 'somchai@demo.test');
    const messageRequests: number[] = [];
    somchai.page.on('response', (response) => {
      if (response.url().includes('/messages')) messageRequests.push(response.status());
    });
    await somchai.page.goto(`/threads/${THREAD}`);
    await somchai.page.getByTestId('thread-forbidden').waitFor();
    expect(await somchai.page.getByRole('heading', { level: 1 }).textContent()).toMatch(/access/);
    expect(await somchai.page.getByTestId('thread-view').count()).toBe(0);
    expect(await somchai.page.getByTestId('message').count()).toBe(0);
    expect(await somchai.page.getByTestId('composer-input').count()).toBe(0);
    expect(messageRequests).toEqual([]);
    await somchai.context.close();
  });

  it('somchai, moved to another country with BK-2001 open, sees it give way to the forbidden page without a reload', async () => {
    const somchai = await signedInPage(browser, edge.origin, 'somchai@demo.test');
    const internal = new ChatApiClient(api.baseUrl);
    const asCountry = (country: string) => ({
      email: 'somchai@demo.test',
      name: 'Somchai Srisuk',
      handle: 'somchai',
      role: 'staff' as const,
      country,
    });
    try {
      await somchai.page.goto('/threads/th_bk_2001');
      await somchai.page.getByTestId('thread-view').waitFor();
      // A message from bob arriving live shows the thread's subscription is in place.
      const bob = new ChatApiClient(api.baseUrl);
      await bob.login('bob@demo.test');
      await bob.post('th_bk_2001', 'before the move');
      await expectEventually(async () =>
        expect(await messageTexts(somchai.page)).toContain('before the move'),
      );
      await markDocument(somchai.page);

      await internal.upsertUser('u_somchai', asCountry('VN'));
      await somchai.page.getByTestId('thread-forbidden').waitFor();
      expect(await somchai.page.getByTestId('message').count()).toBe(0);
      expect(await somchai.page.getByTestId('composer-input').count()).toBe(0);
      expect(await stillSameDocument(somchai.page)).toBe(true);
    } finally {
      await internal.upsertUser('u_somchai', asCountry('TH'));
      await somchai.context.close();
    }
  });

  it('renders text from users as text, never as HTML', async () => {
    const linh = await signedInPage(browser, edge.origin, 'linh@demo.test');
    await linh.page.goto(`/threads/${THREAD}`);
    await linh.page.getByTestId('composer-input').waitFor();
    const poster = new ChatApiClient(api.baseUrl);
    await poster.login('alice@demo.test');
    const hostile = `<img src=x onerror="window.e2eInjected=1"><script>window.e2eInjected=2</script> ${Date.now()}`;
    await poster.post(THREAD, hostile);
    await linh.page.getByTestId('message').getByText(hostile).waitFor();
    expect(await linh.page.getByTestId('messages').locator('img, script').count()).toBe(0);
    expect(
      await linh.page.evaluate(() => (window as unknown as { e2eInjected?: number }).e2eInjected),
    ).toBeUndefined();
    await linh.context.close();
  });

  it('loads older messages on demand, as the top of the history comes into view', async () => {
    const poster = new ChatApiClient(api.baseUrl);
    await poster.login('bob@demo.test');
    for (let index = 1; index <= 55; index += 1)
      await poster.post('th_bk_2001', `history ${index}`);
    const bob = await signedInPage(browser, edge.origin, 'bob@demo.test');
    await bob.page.goto('/threads/th_bk_2001');
    await bob.page.getByTestId('message').getByText('history 55', { exact: true }).waitFor();
    expect(await bob.page.getByText('history 1', { exact: true }).count()).toBe(0);
    // Scrolling up to the top of the history asks for the older messages (the button there does
    // the same for the keyboard).
    expect(await bob.page.getByRole('button', { name: 'Load older messages' }).count()).toBe(1);
    await bob.page.getByTestId('messages').evaluate((element) => element.scrollTo({ top: 0 }));
    await bob.page.getByText('history 1', { exact: true }).waitFor();
    const seqs = await bob.page
      .getByTestId('message')
      .evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.seq)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    await bob.context.close();
  });

  it('works at phone width with the keyboard alone', async () => {
    const linh = await signedInPage(browser, edge.origin, 'linh@demo.test', {
      width: 375,
      height: 740,
    });
    await linh.page.goto(`/threads/${THREAD}`);
    const input = linh.page.getByTestId('composer-input');
    await input.waitFor();
    const overflow = await linh.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // Inside a thread the phone's tab bar gives way to the conversation; its header leads back.
    expect(await linh.page.getByTestId('thread-back').isVisible()).toBe(true);
    expect(await input.isVisible()).toBe(true);
    expect(await linh.page.getByRole('textbox', { name: 'Message' }).count()).toBe(0); // a combobox
    expect(await linh.page.getByRole('combobox', { name: 'Message' }).count()).toBe(1);
    // Tab from the page start reaches the composer; Enter sends.
    let focused = '';
    for (let step = 0; step < 30 && focused !== 'composer-input'; step += 1) {
      await linh.page.keyboard.press('Tab');
      focused = await linh.page.evaluate(
        () => document.activeElement?.getAttribute('data-testid') ?? '',
      );
    }
    expect(focused).toBe('composer-input');
    const text = `From my phone ${Date.now()}`;
    await linh.page.keyboard.type(text);
    await linh.page.keyboard.press('Enter');
    await linh.page.getByTestId('message').getByText(text).waitFor();
    await linh.context.close();
  });

  it('restarting the API under an open thread: reconnecting, then the messages sent meanwhile, no reload, no duplicates', async () => {
    const linh = await signedInPage(browser, edge.origin, 'linh@demo.test');
    await linh.page.goto(`/threads/${THREAD}`);
    await linh.page.getByTestId('composer-input').waitFor();
    const state = linh.page.getByTestId('connection-state');
    await expectEventually(async () =>
      expect(await state.getAttribute('data-state')).toBe('connected'),
    );
    await markDocument(linh.page);
    const before = await messageTexts(linh.page);

    // Hold new sockets at the edge so the messages below are surely missed live.
    edge.refuseUpgrades = true;
    await api.stop('SIGTERM');
    await expectEventually(async () =>
      expect(await state.getAttribute('data-state')).toBe('reconnecting'),
    );
    expect(await state.textContent()).toContain('Reconnecting');

    api = await spawnApi(apiEnvironment, api.port);
    const poster = new ChatApiClient(api.baseUrl);
    await poster.login('alice@demo.test');
    const missed = [1, 2, 3].map((index) => `While you were away ${index} ${Date.now()}`);
    for (const body of missed) await poster.post(THREAD, body);
    expect(await state.getAttribute('data-state')).toBe('reconnecting');
    expect(await messageTexts(linh.page)).toEqual(before);

    const releasedAt = Date.now();
    edge.refuseUpgrades = false;
    await expectEventually(
      async () => {
        expect(await state.getAttribute('data-state')).toBe('connected');
        const texts = await messageTexts(linh.page);
        for (const body of missed) expect(texts.filter((text) => text === body)).toHaveLength(1);
      },
      { timeoutMs: 30_000 },
    );
    measurements.resumeAfterReleaseMs = Date.now() - releasedAt;
    const texts = await messageTexts(linh.page);
    expect(texts).toEqual([...before, ...missed]);
    const seqs = await linh.page
      .getByTestId('message')
      .evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.seq)));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(await stillSameDocument(linh.page)).toBe(true);
    // And live again: a new message arrives without a reload.
    const after = `Back live ${Date.now()}`;
    await poster.post(THREAD, after);
    await linh.page.getByTestId('message').getByText(after).waitFor({ timeout: 2_000 });
    await linh.context.close();
  });
});
