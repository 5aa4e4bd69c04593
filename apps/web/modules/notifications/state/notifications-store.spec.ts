import type { Notification } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { FakeConnection } from '@/test/support/fake-connection';
import { createNotificationsStore, type NotificationApi } from './notifications-store';

const notification = (id: string, readAt: string | null = null): Notification => ({
  id,
  type: 'system',
  title: `Title ${id}`,
  body: null,
  link: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  readAt,
});

function fakeApi(count = 2) {
  const calls: string[] = [];
  const api = {
    calls,
    unreadCount: vi.fn(async () => {
      calls.push('count');
      return count;
    }),
    list: vi.fn(async (options: { before?: string; unread?: boolean }) => {
      calls.push(`list ${JSON.stringify(options)}`);
      return options.before
        ? { notifications: [notification('n0', 'x')], hasMore: false }
        : { notifications: [notification('n2'), notification('n1')], hasMore: true };
    }),
    markRead: vi.fn(async () => undefined),
    markAllRead: vi.fn(async () => undefined),
  } satisfies NotificationApi & { calls: string[] };
  return api;
}

describe(createNotificationsStore.name, () => {
  it('polls on the delay it is given, again after every poll, until stopped', async () => {
    vi.useFakeTimers();
    try {
      const api = fakeApi();
      const delays = [240_000, 360_000];
      const sut = createNotificationsStore({
        api,
        connection: null,
        pollDelay: () => delays.shift() ?? 300_000,
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(api.calls).toEqual(['count']);
      await vi.advanceTimersByTimeAsync(239_999);
      expect(api.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(api.calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(360_000);
      expect(api.calls).toHaveLength(3);
      sut.stop();
      await vi.advanceTimersByTimeAsync(1_000_000);
      expect(api.calls).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes live counts from the socket and refetches after a reconnect', async () => {
    const api = fakeApi(5);
    const connection = new FakeConnection();
    const sut = createNotificationsStore({ api, connection, pollDelay: () => 300_000 });
    await vi.waitFor(() => expect(sut.store.getState().unreadCount).toBe(5));

    connection.emit('notification.new', { notification: notification('n3'), unreadCount: 6 });
    expect(sut.store.getState().unreadCount).toBe(6);
    connection.emit('notification.unread', { count: 1 });
    expect(sut.store.getState().unreadCount).toBe(1);

    connection.setState('connected');
    expect(api.calls).toHaveLength(1); // the first connection is not a reconnect
    connection.setState('reconnecting');
    connection.setState('connected');
    await vi.waitFor(() => expect(api.calls).toHaveLength(2));
    expect(sut.store.getState().unreadCount).toBe(5);
    sut.stop();
  });

  it('keeps a live count over an HTTP answer that was requested before it', async () => {
    let answer!: (count: number) => void;
    const api = fakeApi();
    api.unreadCount = vi.fn(() => new Promise<number>((resolve) => (answer = resolve)));
    const connection = new FakeConnection();
    const sut = createNotificationsStore({ api, connection, pollDelay: () => 300_000 });
    connection.emit('notification.new', { notification: notification('n9'), unreadCount: 1 });
    answer(0);
    await vi.waitFor(() => expect(api.unreadCount).toHaveBeenCalled());
    await Promise.resolve();
    expect(sut.store.getState().unreadCount).toBe(1);
    sut.stop();
  });

  it('pages each list, prepends live notifications once, and marks read in every list', async () => {
    const api = fakeApi(2);
    const connection = new FakeConnection();
    const sut = createNotificationsStore({ api, connection, pollDelay: () => 300_000 });
    const arrived: string[] = [];
    sut.onArrival((item) => arrived.push(item.id));
    await sut.load('all');
    await sut.load('unread');
    expect(api.calls).toContain('list {"unread":true}');
    await sut.loadMore('all');
    expect(sut.store.getState().lists.all).toMatchObject({ hasMore: false });
    connection.emit('notification.new', { notification: notification('n3'), unreadCount: 3 });
    connection.emit('notification.new', { notification: notification('n3'), unreadCount: 3 });
    const ids = (filter: 'all' | 'unread') =>
      sut.store.getState().lists[filter].items!.map((item) => item.id);
    expect(ids('all')).toEqual(['n3', 'n2', 'n1', 'n0']);
    expect(ids('unread')).toEqual(['n3', 'n2', 'n1']);
    expect(arrived).toEqual(['n3', 'n3']);

    await sut.markRead('n2');
    expect(api.markRead).toHaveBeenCalledWith('n2');
    expect(sut.store.getState().unreadCount).toBe(2);
    for (const filter of ['all', 'unread'] as const) {
      expect(
        sut.store.getState().lists[filter].items!.find((item) => item.id === 'n2')!.readAt,
      ).not.toBeNull();
    }
    await sut.markAllRead();
    expect(sut.store.getState().unreadCount).toBe(0);
    expect(sut.store.getState().lists.all.items!.every((item) => item.readAt)).toBe(true);
    sut.stop();
  });

  it('reloads the open lists when the count changes elsewhere (a mention read in its thread)', async () => {
    const api = fakeApi(2);
    const connection = new FakeConnection();
    const sut = createNotificationsStore({ api, connection, pollDelay: () => 300_000 });
    await vi.waitFor(() => expect(sut.store.getState().unreadCount).toBe(2));
    await sut.load('all');
    const lists = () => api.calls.filter((call) => call.startsWith('list')).length;
    expect(lists()).toBe(1);
    connection.emit('notification.unread', { count: 2 });
    expect(lists()).toBe(1);
    connection.emit('notification.unread', { count: 1 });
    expect(lists()).toBe(2);
    sut.stop();
  });
});
