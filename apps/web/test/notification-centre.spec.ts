import { describe, expect, it } from 'vitest';
import { expectEventually } from '@chat/test-support';
import { signedInPage } from './support/browser';
import { ChatApiClient } from './support/chat-api';
import { useStack, waitConnected } from './support/stack';

// The notification centre at /notifications, and the browser notifications a user may opt in to.
describe('notification centre', () => {
  const stack = useStack();

  it('pages through every notification, filters the unread ones and marks read', async () => {
    const internal = new ChatApiClient(stack.api.baseUrl);
    for (let index = 1; index <= 25; index += 1) {
      await internal.notify('u_vu', `Update ${index}`, `Booking change number ${index}`);
    }
    const vu = await signedInPage(stack.browser, stack.edge.origin, 'vu@demo.test');
    await vu.page.goto('/notifications');
    const items = vu.page.getByTestId('notification-list').getByTestId('bell-item');
    await expectEventually(async () => expect(await items.count()).toBe(20));
    expect(await items.first().textContent()).toContain('Update 25');
    await vu.page.getByTestId('notifications-more').click();
    await expectEventually(async () => expect(await items.count()).toBe(25));
    expect(await vu.page.getByTestId('notifications-more').count()).toBe(0);

    await vu.page.getByRole('button', { name: 'Mark "Update 25" read' }).click();
    await vu.page.getByRole('button', { name: 'Mark "Update 24" read' }).click();
    await expectEventually(async () =>
      expect(await vu.page.getByTestId('notifications-unread-badge').textContent()).toMatch(/^23/),
    );
    await vu.page.getByTestId('notifications-filter-unread').click();
    await expectEventually(async () => {
      expect(await items.count()).toBe(20);
      expect(await items.first().textContent()).toContain('Update 23');
    });
    await vu.page.getByTestId('notifications-more').click();
    await expectEventually(async () => expect(await items.count()).toBe(23));

    await vu.page.getByRole('button', { name: 'Mark all read' }).click();
    await expectEventually(async () =>
      expect(await vu.page.getByTestId('notifications-unread-badge').count()).toBe(0),
    );
    // The server agrees.
    await vu.page.reload();
    await vu.page.getByTestId('notifications-filter-unread').click();
    await vu.page.getByText('No unread notifications').waitFor();
    await vu.context.close();
  });

  it('in a hidden tab, an opted-in user gets a browser notification that opens the thread', async () => {
    const linh = await signedInPage(stack.browser, stack.edge.origin, 'linh@demo.test');
    await linh.context.grantPermissions(['notifications'], { origin: stack.edge.origin });
    // Records what the page asks the browser to show, and lets the test click it.
    await linh.context.addInitScript(() => {
      const shown: Array<{ title: string; body?: string; click(): void }> = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class RecordingNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          shown.push({ title, body: options?.body, click: () => this.onclick?.() });
        }
        close() {}
      }
      (window as unknown as { Notification: unknown }).Notification = RecordingNotification;
    });
    await linh.page.goto('/notifications');
    const toggle = linh.page.getByTestId('browser-notifications-toggle');
    await toggle.click();
    await expectEventually(async () =>
      expect(await toggle.getAttribute('aria-pressed')).toBe('true'),
    );
    await linh.page.goto('/threads/th_bk_1001');
    await linh.page.getByTestId('composer-input').waitFor();
    await waitConnected(linh.page);
    await linh.page.goto('/');
    await waitConnected(linh.page);
    await linh.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => 'hidden',
      });
      document.dispatchEvent(new Event('visibilitychange'));
    });

    const alice = new ChatApiClient(stack.api.baseUrl);
    await alice.login('alice@demo.test');
    await alice.post('th_bk_1001', `@linh is late check-out possible? ${Date.now()}`);
    await expectEventually(async () =>
      expect(
        await linh.page.evaluate(
          () => (window as unknown as { shownNotifications: unknown[] }).shownNotifications.length,
        ),
      ).toBeGreaterThan(0),
    );
    const title = await linh.page.evaluate(
      () =>
        (window as unknown as { shownNotifications: Array<{ title: string }> })
          .shownNotifications[0]!.title,
    );
    expect(title).toContain('Alice');
    await linh.page.evaluate(() =>
      (
        window as unknown as { shownNotifications: Array<{ click(): void }> }
      ).shownNotifications[0]!.click(),
    );
    await linh.page.waitForURL(/\/threads\/th_bk_1001$/);
    await linh.page.getByTestId('composer-input').waitFor();
    await linh.context.close();
  });
});
