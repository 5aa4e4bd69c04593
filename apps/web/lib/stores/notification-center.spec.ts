import type { Notification } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { FakeConnection } from '../../test/support/fake-connection';
import { NotificationCenter, type NotificationApi } from './notification-center';

const notification = (id: string, readAt: string | null = null): Notification => ({
  id,
  type: 'system',
  title: `Title ${id}`,
  body: null,
  link: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  readAt,
});

function fakeApi(count = 2): NotificationApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    unreadCount: vi.fn(async () => {
      calls.push('count');
      return count;
    }),
    list: vi.fn(async () => ({
      notifications: [notification('n2'), notification('n1')],
      hasMore: false,
    })),
    markRead: vi.fn(async () => undefined),
    markAllRead: vi.fn(async () => undefined),
  };
}

describe(NotificationCenter.name, () => {
  it('polls on the delay it is given, again after every poll', async () => {
    vi.useFakeTimers();
    try {
      const api = fakeApi();
      const delays = [240_000, 360_000];
      const sut = new NotificationCenter({ api, pollDelay: () => delays.shift() ?? 300_000 });
      sut.start(null);
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
    const sut = new NotificationCenter({ api, pollDelay: () => 300_000 });
    sut.start(connection);
    await vi.waitFor(() => expect(sut.getSnapshot().unreadCount).toBe(5));

    connection.emit('notification.new', { notification: notification('n3'), unreadCount: 6 });
    expect(sut.getSnapshot().unreadCount).toBe(6);
    connection.emit('notification.unread', { count: 1 });
    expect(sut.getSnapshot().unreadCount).toBe(1);

    connection.setState('connected');
    expect(api.calls).toHaveLength(1); // the first connection is not a reconnect
    connection.setState('reconnecting');
    connection.setState('connected');
    await vi.waitFor(() => expect(api.calls).toHaveLength(2));
    expect(sut.getSnapshot().unreadCount).toBe(5);
    sut.stop();
  });

  it('keeps a live count over an HTTP answer that was requested before it', async () => {
    let answer!: (count: number) => void;
    const api = fakeApi();
    api.unreadCount = vi.fn(() => new Promise<number>((resolve) => (answer = resolve)));
    const connection = new FakeConnection();
    const sut = new NotificationCenter({ api, pollDelay: () => 300_000 });
    sut.start(connection);
    connection.emit('notification.new', { notification: notification('n9'), unreadCount: 1 });
    answer(0);
    await vi.waitFor(() => expect(api.unreadCount).toHaveBeenCalled());
    await Promise.resolve();
    expect(sut.getSnapshot().unreadCount).toBe(1);
    sut.stop();
  });

  it('prepends live notifications to an open list, once, and marks read', async () => {
    const api = fakeApi(2);
    const connection = new FakeConnection();
    const sut = new NotificationCenter({ api, pollDelay: () => 300_000 });
    sut.start(connection);
    await sut.loadList();
    connection.emit('notification.new', { notification: notification('n3'), unreadCount: 3 });
    connection.emit('notification.new', { notification: notification('n3'), unreadCount: 3 });
    expect(sut.getSnapshot().notifications!.map((item) => item.id)).toEqual(['n3', 'n2', 'n1']);

    await sut.markRead('n2');
    expect(api.markRead).toHaveBeenCalledWith('n2');
    expect(sut.getSnapshot().unreadCount).toBe(2);
    await sut.markAllRead();
    expect(sut.getSnapshot().unreadCount).toBe(0);
    expect(sut.getSnapshot().notifications!.every((item) => item.readAt)).toBe(true);
    sut.stop();
  });
});
