import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectEventually } from '@chat/test-support';
import { signedInPage } from './support/browser';
import { ChatApiClient } from './support/chat-api';
import { messageBodies, useStack, waitConnected } from './support/stack';

const THREAD = 'th_bk_1001';

async function openThread(page: Page, conversationId = THREAD): Promise<void> {
  await page.goto(`/threads/${conversationId}`);
  await page.getByTestId('composer-input').waitFor();
  await waitConnected(page);
}

async function send(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** Marks the document so a later check can prove no reload happened. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
}

async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload === true);
}

/** The status our own message with this body shows (sent or seen). */
function statusOf(page: Page, text: string) {
  return page
    .getByTestId('message')
    .filter({ hasText: text })
    .getByTestId('message-status')
    .getAttribute('data-status');
}

// The thread as people use it: receipts, sends that fail or wait, where unread starts,
// the inbox on a phone, and a tab in the background.
describe('chat experience', () => {
  const stack = useStack();

  it('alice and linh see “Seen” within 2 s of the other reading', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test');
    await openThread(alice.page);
    // Linh is elsewhere: alice's message stays unread.
    await linh.page.goto('/');
    await waitConnected(linh.page);
    const question = `Is the pool heated? ${Date.now()}`;
    await send(alice.page, question);
    await expectEventually(async () => expect(await statusOf(alice.page, question)).toBe('sent'));

    // Linh opens the thread: the message is on her screen, so it is read.
    const reads: number[] = [];
    linh.page.on('response', (response) => {
      if (response.url().endsWith('/read') && response.status() === 204) reads.push(Date.now());
    });
    await openThread(linh.page);
    await expectEventually(() => expect(reads.length).toBeGreaterThan(0));
    await expectEventually(async () => expect(await statusOf(alice.page, question)).toBe('seen'), {
      timeoutMs: 2_000,
    });
    expect(Date.now() - reads[0]!).toBeLessThan(2_000);
    expect(
      await alice.page
        .getByTestId('message')
        .filter({ hasText: question })
        .getByTestId('seen-by')
        .textContent(),
    ).toContain('Linh');

    // And the other way round.
    const answer = `Yes, 28 °C all year ${Date.now()}`;
    await send(linh.page, answer);
    await expectEventually(
      async () =>
        expect(
          await linh.page
            .getByTestId('message')
            .filter({ hasText: answer })
            .getByTestId('seen-by')
            .textContent(),
        ).toContain('Alice'),
      { timeoutMs: 2_000 + 1_000 },
    );
    await Promise.all([alice.context.close(), linh.context.close()]);
  });

  it('a send while the API is down shows as failed, and Retry delivers it once', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    await openThread(alice.page);
    const posts: string[] = [];
    alice.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/messages')) {
        posts.push(JSON.parse(request.postData() ?? '{}').clientMessageId);
      }
    });
    await stack.stopApi();
    try {
      const text = `Sent into the outage ${Date.now()}`;
      await send(alice.page, text);
      const pending = alice.page.getByTestId('pending-message').filter({ hasText: text });
      await expectEventually(
        async () => expect(await pending.getAttribute('data-status')).toBe('failed'),
        {
          timeoutMs: 15_000,
        },
      );
      expect(await pending.getByRole('alert').textContent()).toContain('Not sent');

      await stack.startApi();
      await pending.getByRole('button', { name: 'Retry' }).click();
      await alice.page
        .getByTestId('message')
        .filter({ hasText: text })
        .waitFor({ timeout: 10_000 });
      expect(await alice.page.getByTestId('pending-message').count()).toBe(0);
      // Every attempt carried the same clientMessageId, and the API kept one message.
      expect(new Set(posts).size).toBe(1);
      const reader = new ChatApiClient(stack.api.baseUrl);
      await reader.login('linh@demo.test');
      expect(
        (await reader.messages(THREAD)).filter((message) => message.body === text),
      ).toHaveLength(1);
    } finally {
      if (stack.api.child.exitCode !== null) await stack.startApi();
      await alice.context.close();
    }
  });

  it('a message typed offline waits, then goes out after reconnecting', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test');
    await openThread(alice.page);
    await openThread(linh.page);
    await linh.context.setOffline(true);
    await expectEventually(async () =>
      expect(await linh.page.getByTestId('connection-state').getAttribute('data-state')).toBe(
        'offline',
      ),
    );
    const first = `Typed in the lift ${Date.now()}`;
    const second = `and a second one ${Date.now()}`;
    await send(linh.page, first);
    await send(linh.page, second);
    const waiting = linh.page.getByTestId('pending-message');
    await expectEventually(async () =>
      expect(
        await waiting.evaluateAll((items) => items.map((item) => item.getAttribute('data-status'))),
      ).toEqual(['waiting', 'waiting']),
    );
    expect(await linh.page.getByText('You’re offline').count()).toBe(1);

    await linh.context.setOffline(false);
    for (const page of [linh.page, alice.page]) {
      await expectEventually(
        async () => {
          const bodies = (await messageBodies(page)).map(({ body }) => body);
          expect(bodies.slice(-2)).toEqual([first, second]);
        },
        { timeoutMs: 20_000 },
      );
    }
    expect(await linh.page.getByTestId('pending-message').count()).toBe(0);
    await Promise.all([alice.context.close(), linh.context.close()]);
  });

  it('the unread divider sits at the first unread message, and the view opens there', async () => {
    const linh = new ChatApiClient(stack.api.baseUrl);
    await linh.login('linh@demo.test');
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    // Alice has read everything so far.
    await openThread(alice.page);
    await alice.page.goto('/');
    await waitConnected(alice.page);
    const first = await linh.post(THREAD, `Your room is ready ${Date.now()}`);
    await linh.post(THREAD, 'Check-in is from 2 pm.');
    await linh.post(THREAD, 'See you soon!');

    await alice.page.goto(`/threads/${THREAD}`);
    const divider = alice.page.getByTestId('unread-divider');
    await divider.waitFor();
    const next = await divider.evaluate((element) => {
      const sibling = element.nextElementSibling as HTMLElement | null;
      return { testId: sibling?.dataset.testid, seq: Number(sibling?.dataset.seq) };
    });
    expect(next).toEqual({ testId: 'message', seq: first.seq });
    expect(await alice.page.getByTestId('unread-divider').count()).toBe(1);
    await alice.context.close();
  });

  it('while the tab is hidden its title counts the messages that arrive', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    await openThread(alice.page);
    const title = await alice.page.title();
    // The tab goes to the background, as when the user switches to another tab.
    await alice.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => 'hidden',
      });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const linh = new ChatApiClient(stack.api.baseUrl);
    await linh.login('linh@demo.test');
    await linh.post(THREAD, `Are you still coming? ${Date.now()}`);
    await expectEventually(async () => expect(await alice.page.title()).toBe(`(1) ${title}`));
    await linh.post(THREAD, 'Just checking.');
    await expectEventually(async () => expect(await alice.page.title()).toBe(`(2) ${title}`));

    await alice.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => 'visible',
      });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expectEventually(async () => expect(await alice.page.title()).toBe(title));
    await alice.context.close();
  });

  it('shows the booking in the thread header, and links in messages open safely', async () => {
    const internal = new ChatApiClient(stack.api.baseUrl);
    await internal.upsertBooking('bk_1001', {
      ref: 'BK-1001',
      country: 'VN',
      creatorId: 'u_alice',
      managerId: 'u_linh',
      details: {
        name: 'Riverside Homestay, Hội An',
        startDate: '2026-03-12',
        endDate: '2026-03-15',
        guests: 2,
        status: 'confirmed',
      },
    });
    const linh = new ChatApiClient(stack.api.baseUrl);
    await linh.login('linh@demo.test');
    await linh.post(THREAD, 'The map: https://maps.example.com/riverside. Or javascript:alert(1)');
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    await openThread(alice.page);
    const title = alice.page.getByRole('heading', { level: 1 });
    expect(await title.textContent()).toBe('Riverside Homestay, Hội An');
    const facts = await alice.page.getByTestId('booking-facts').textContent();
    expect(facts).toContain('BK-1001');
    expect(facts).toMatch(/Mar 12\s–\s15, 2026/);
    expect(facts).toContain('2 guests');
    expect(facts).toContain('Confirmed');
    // The ref is said once, not twice.
    expect(
      ((await alice.page.getByTestId('thread-view').textContent()) ?? '').split('BK-1001').length -
        1,
    ).toBe(1);

    const link = alice.page.getByRole('link', {
      name: 'https://maps.example.com/riverside',
      exact: true,
    });
    expect(await link.getAttribute('href')).toBe('https://maps.example.com/riverside');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await alice.page.getByTestId('messages').locator('a[href^="javascript"]').count()).toBe(
      0,
    );
    await alice.context.close();
  });

  it('on a phone the inbox shows one pane at a time, with a way back', async () => {
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test', {
      width: 390,
      height: 844,
    });
    await linh.page.goto('/threads');
    const row = linh.page.getByTestId(`thread-row-${THREAD}`);
    await row.waitFor();
    expect(await linh.page.getByTestId('nav-threads').isVisible()).toBe(true);
    await row.click();
    await linh.page.getByTestId('composer-input').waitFor();
    expect(await row.isVisible()).toBe(false);
    const box = await linh.page.getByTestId('composer-input').boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(844);
    await linh.page.getByTestId('thread-back').click();
    await linh.page.waitForURL(/\/threads$/);
    await row.waitFor();
    expect(await linh.page.getByTestId('composer-input').count()).toBe(0);
    // On a desktop both panes are there.
    await linh.page.setViewportSize({ width: 1280, height: 800 });
    await row.click();
    await linh.page.getByTestId('composer-input').waitFor();
    expect(await row.isVisible()).toBe(true);
    await linh.context.close();
  });

  it('finds conversations by words without their accents, and filters the unread ones', async () => {
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test');
    await linh.page.goto('/threads');
    const row = linh.page.getByTestId(`thread-row-${THREAD}`);
    await row.waitFor();
    await linh.page.getByTestId('inbox-search').fill('hoi an');
    await row.waitFor();
    await linh.page.getByTestId('inbox-search').fill('chiang mai');
    await expectEventually(async () => expect(await row.count()).toBe(0));
    await linh.page.getByTestId('inbox-search').fill('');
    await row.waitFor();
    // Read everything, then the unread filter shows nothing for this thread.
    await row.click();
    await linh.page.getByTestId('composer-input').waitFor();
    await expectEventually(async () =>
      expect(await row.getByTestId('thread-unread-badge').count()).toBe(0),
    );
    await linh.page.getByTestId('inbox-filter-unread').click();
    await expectEventually(async () => expect(await row.count()).toBe(0));
    await linh.context.close();
  });

  it('staff scroll past the first page, search a ref, filter unread, and see a new message move its thread to the top', async () => {
    // Vu's own inbox: 35 bookings of his country, more than the first page (30) holds.
    const internal = new ChatApiClient(stack.api.baseUrl);
    await internal.upsertUser('u_ines', {
      email: 'ines@demo.test',
      name: 'Ines Duval',
      handle: 'ines',
      role: 'customer',
      country: 'VN',
      password: 'demo1234',
    });
    const refs = Array.from({ length: 35 }, (_, index) => `IB-${7001 + index}`);
    const threadOf = (ref: string) => `th_${ref.toLowerCase().replace('-', '_')}`;
    for (const ref of refs) {
      await internal.upsertBooking(ref.toLowerCase().replace('-', '_'), {
        ref,
        country: 'VN',
        creatorId: 'u_ines',
        managerId: 'u_vu',
      });
    }
    const ines = new ChatApiClient(stack.api.baseUrl);
    await ines.login('ines@demo.test');
    await ines.post(threadOf('IB-7031'), 'Is breakfast included?');
    await ines.post(threadOf('IB-7033'), 'Can we check in early?');

    const vu = await signedInPage(stack.browser, stack.edge.origin, 'vu@demo.test');
    // The inbox's requests while it shows every thread (the home page's unread list, kept in
    // the background, asks with unread=true).
    const listRequests: URL[] = [];
    vu.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/chat/conversations' && !url.searchParams.has('unread')) {
        listRequests.push(url);
      }
    });
    await vu.page.goto('/threads');
    await waitConnected(vu.page);
    const rows = () =>
      vu.page
        .getByTestId('thread-list')
        .locator('[data-testid^="thread-row-"]')
        .evaluateAll((links) =>
          links.map((link) => link.getAttribute('data-testid')!.slice('thread-row-'.length)),
        );
    const newestFirst = [...refs].reverse().map(threadOf);
    // The threads with messages lead, then the others by creation, newest first.
    const byActivity = [
      threadOf('IB-7033'),
      threadOf('IB-7031'),
      ...newestFirst.filter((id) => id !== threadOf('IB-7033') && id !== threadOf('IB-7031')),
    ];
    await expectEventually(async () => expect(await rows()).toEqual(byActivity.slice(0, 30)));
    await markDocument(vu.page);

    // Scrolling the list to its end brings the second page.
    const list = vu.page.getByTestId('thread-list');
    await list.hover();
    await expectEventually(async () => {
      await vu.page.mouse.wheel(0, 2_000);
      expect(await rows()).toEqual(byActivity);
    });
    expect(listRequests).toHaveLength(2);
    expect(listRequests[1]!.searchParams.get('cursor')).toBeTruthy();
    const oldest = threadOf('IB-7001');
    expect((await rows()).at(-1)).toBe(oldest);

    // Someone else writes in the oldest thread: it moves to the top with that message, from
    // the unread frame alone (no list request), and without a reload.
    const requestsBefore = listRequests.length;
    const late = `Our flight is delayed ${Date.now()}`;
    await ines.post(oldest, late);
    const oldestRow = vu.page.getByTestId(`thread-row-${oldest}`);
    await expectEventually(async () => {
      expect((await rows())[0]).toBe(oldest);
      expect(await oldestRow.textContent()).toContain(late);
      expect(await oldestRow.getByTestId('thread-unread-badge').textContent()).toMatch(/^1/);
    });
    expect(await rows()).toHaveLength(35);
    expect(listRequests).toHaveLength(requestsBefore);
    expect(await stillSameDocument(vu.page)).toBe(true);

    // A ref prefix finds exactly the bookings whose ref starts with it.
    const search = vu.page.getByTestId('inbox-search');
    await search.fill('IB-703');
    const matching = byActivity.filter((id) => id.startsWith('th_ib_703'));
    expect(matching).toHaveLength(6);
    await expectEventually(async () => expect(await rows()).toEqual(matching));
    await search.fill('');
    await expectEventually(async () => expect((await rows())[0]).toBe(oldest));

    // Unread only: the three threads Ines wrote in, most recent first.
    await vu.page.getByTestId('inbox-filter-unread').click();
    const unread = [oldest, threadOf('IB-7033'), threadOf('IB-7031')];
    await expectEventually(async () => expect(await rows()).toEqual(unread));
    // A message in a thread this filtered list does not hold brings it in, at the top.
    const another = threadOf('IB-7002');
    await ines.post(another, 'One more question');
    await expectEventually(async () => expect(await rows()).toEqual([another, ...unread]));
    expect(await stillSameDocument(vu.page)).toBe(true);
    await vu.context.close();
  });

  it('loads history as the top comes into view, keeps the reader’s place, and counts new messages below', async () => {
    const bob = new ChatApiClient(stack.api.baseUrl);
    await bob.login('bob@demo.test');
    for (let index = 1; index <= 55; index += 1) await bob.post('th_bk_2001', `history ${index}`);
    const reader = await signedInPage(stack.browser, stack.edge.origin, 'bob@demo.test');
    await openThread(reader.page, 'th_bk_2001');
    const messages = reader.page.getByTestId('message');
    await reader.page.getByTestId('message').filter({ hasText: 'history 55' }).waitFor();
    const loaded = await messages.count();
    const firstSeq = Number(await messages.first().getAttribute('data-seq'));
    const offsetOf = (seq: number) =>
      reader.page.evaluate((target) => {
        const scroller = document.querySelector('[data-testid="messages"]')!;
        const item = scroller.querySelector(`[data-seq="${target}"]`)!;
        return item.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      }, seq);

    await reader.page.evaluate(() => {
      document.querySelector('[data-testid="messages"]')!.scrollTop = 0;
    });
    const before = await offsetOf(firstSeq);
    await expectEventually(async () => expect(await messages.count()).toBeGreaterThan(loaded));
    // The message that was at the top is where it was: the older ones went above it.
    await expectEventually(async () =>
      expect(Math.abs((await offsetOf(firstSeq)) - before)).toBeLessThan(4),
    );

    const somchai = new ChatApiClient(stack.api.baseUrl);
    await somchai.login('somchai@demo.test');
    await somchai.post('th_bk_2001', 'One thing before the class');
    await somchai.post('th_bk_2001', 'and another');
    const pill = reader.page.getByTestId('new-messages-pill');
    await expectEventually(async () =>
      expect(await pill.textContent()).toContain('2 new messages'),
    );
    await pill.click();
    await expectEventually(async () => expect(await pill.count()).toBe(0));
    expect(await messages.filter({ hasText: 'and another' }).isVisible()).toBe(true);
    await reader.context.close();
  });
});
