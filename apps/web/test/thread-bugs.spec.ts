import { describe, expect, it } from 'vitest';
import { expectEventually } from '@chat/test-support';
import { signedInPage } from './support/browser';
import { ChatApiClient } from './support/chat-api';
import { messageBodies, useStack, waitConnected } from './support/stack';

const THREAD = 'th_bk_1001';

/** Reads a badge in one step: null when there is none. */
async function bellCount(page: import('playwright-core').Page): Promise<number> {
  const [text] = await page.getByTestId('bell-badge').allTextContents();
  return text === undefined ? 0 : Number(text.trim());
}

// Each bug seen in the field gets a test here that failed before its fix.
describe('thread bugs', () => {
  const stack = useStack();

  it('ten messages typed and sent with no pause arrive in the order typed, on both sides', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test');
    await Promise.all([
      alice.page.goto(`/threads/${THREAD}`),
      linh.page.goto(`/threads/${THREAD}`),
    ]);
    for (const { page } of [alice, linh]) {
      await page.getByTestId('composer-input').waitFor();
      await waitConnected(page);
    }
    // The network does not keep independent requests in order: the first send is held until a
    // second one has left the page (or, when none does, for at most 1 s).
    let releaseFirst: () => void = () => undefined;
    const secondSent = new Promise<void>((resolve) => (releaseFirst = resolve));
    let posts = 0;
    await alice.page.route('**/messages', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts === 1) {
        await Promise.race([secondSent, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      } else {
        releaseFirst();
      }
      return route.continue();
    });
    const run = Math.random().toString(36).slice(2, 6);
    const typed = Array.from({ length: 10 }, (_, index) => `${run} #${index + 1}`);
    const input = alice.page.getByTestId('composer-input');
    for (const text of typed) {
      await input.fill(text);
      await input.press('Enter');
    }
    for (const { page } of [alice, linh]) {
      await expectEventually(
        async () => {
          const shown = (await messageBodies(page)).filter(({ body }) => body.includes(`${run}`));
          expect(shown.map(({ body }) => body)).toEqual(typed);
          const seqs = shown.map(({ seq }) => seq);
          expect(seqs).toEqual([...seqs].sort((left, right) => left - right));
        },
        { timeoutMs: 15_000 },
      );
    }
    // And the server stored them in that order.
    const reader = new ChatApiClient(stack.api.baseUrl);
    await reader.login('linh@demo.test');
    const stored = (await reader.messages(THREAD)).filter((message) =>
      message.body.includes(`${run}`),
    );
    expect(stored.map((message) => message.body)).toEqual(typed);
    await Promise.all([alice.context.close(), linh.context.close()]);
  });

  it('on a 390 px phone the bell panel stays inside the screen', async () => {
    const grace = await signedInPage(stack.browser, stack.edge.origin, 'grace@demo.test', {
      width: 390,
      height: 844,
    });
    await grace.page.goto('/');
    await grace.page.getByTestId('bell-button').click();
    const box = await grace.page.getByTestId('bell-panel').boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await grace.context.close();
  });

  it('opening a thread clears the bell’s mention notifications that point into it', async () => {
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test');
    await linh.page.goto('/');
    await waitConnected(linh.page);
    const before = await bellCount(linh.page);
    const alice = new ChatApiClient(stack.api.baseUrl);
    await alice.login('alice@demo.test');
    await alice.post(THREAD, `@linh could you check the invoice? ${Date.now()}`);
    await expectEventually(async () => expect(await bellCount(linh.page)).toBe(before + 1));

    await linh.page.goto(`/threads/${THREAD}`);
    await linh.page.getByTestId('composer-input').waitFor();
    await expectEventually(async () => expect(await bellCount(linh.page)).toBe(before));
    // The server agrees: after a reload the mention is still read.
    await linh.page.goto('/');
    await waitConnected(linh.page);
    expect(await bellCount(linh.page)).toBe(before);
    await linh.context.close();
  });

  it('a message over 4,000 characters is kept whole, counted and refused with a warning', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    await alice.page.goto(`/threads/${THREAD}`);
    const input = alice.page.getByTestId('composer-input');
    await input.waitFor();
    const long = 'a'.repeat(4_100);
    await input.fill(long);
    expect((await input.inputValue()).length).toBe(4_100);
    const limit = alice.page.getByTestId('composer-limit');
    await limit.waitFor();
    expect(await limit.textContent()).toMatch(/100/);
    expect(await alice.page.getByTestId('composer-send').isDisabled()).toBe(true);
    const count = await alice.page.getByTestId('message').count();
    await input.press('Enter');
    expect((await input.inputValue()).length).toBe(4_100);
    expect(await alice.page.getByTestId('pending-message').count()).toBe(0);
    expect(await alice.page.getByTestId('message').count()).toBe(count);
    await alice.context.close();
  });

  it('a message that ends with a completed @handle is sent with one Enter', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    await alice.page.goto(`/threads/${THREAD}`);
    const input = alice.page.getByTestId('composer-input');
    await input.waitFor();
    await waitConnected(alice.page);
    const text = `Thanks ${Date.now()} @linh`;
    await input.pressSequentially(text);
    await input.press('Enter');
    await alice.page.getByTestId('message').getByText(text).waitFor({ timeout: 5_000 });
    expect(await input.inputValue()).toBe('');
    await alice.context.close();
  });

  it('when the network drops, the header leaves “Live” at once and presence dots stop claiming online', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test');
    await alice.page.goto(`/threads/${THREAD}`);
    await waitConnected(alice.page);
    await linh.page.goto(`/threads/${THREAD}`);
    await waitConnected(linh.page);
    const onlineAlice = linh.page.getByRole('img', { name: /Alice.* is online/ });
    await expectEventually(async () => expect(await onlineAlice.count()).toBeGreaterThan(0));

    await linh.context.setOffline(true);
    const state = linh.page.getByTestId('connection-state');
    await expectEventually(
      async () => expect(await state.getAttribute('data-state')).toBe('offline'),
      {
        timeoutMs: 2_000,
      },
    );
    expect(await onlineAlice.count()).toBe(0);

    await linh.context.setOffline(false);
    await expectEventually(
      async () => {
        expect(await state.getAttribute('data-state')).toBe('connected');
        expect(await onlineAlice.count()).toBeGreaterThan(0);
      },
      { timeoutMs: 15_000 },
    );
    await Promise.all([alice.context.close(), linh.context.close()]);
  });

  it('asks who is signed in once per page load', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.edge.origin });
    const page = await context.newPage();
    const asked: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/auth/me') asked.push(request.url());
    });
    await page.goto('/threads');
    await page.waitForURL(/\/login/);
    await page.getByLabel('Email').waitFor();
    await page.waitForLoadState('networkidle');
    expect(asked).toHaveLength(1);
    await context.close();
  });

  it('a draft survives a reload', async () => {
    const alice = await signedInPage(stack.browser, stack.edge.origin, 'alice@demo.test');
    await alice.page.goto(`/threads/${THREAD}`);
    const input = alice.page.getByTestId('composer-input');
    await input.waitFor();
    const draft = `Half-written thought ${Date.now()}`;
    await input.pressSequentially(draft);
    await alice.page.reload();
    await input.waitFor();
    await expectEventually(async () => expect(await input.inputValue()).toBe(draft));
    await alice.context.close();
  });
});
