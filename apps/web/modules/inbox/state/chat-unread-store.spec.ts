import type { UnreadResponse } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { FakeConnection } from '@/test/support/fake-connection';
import { createChatUnreadStore } from './chat-unread-store';

describe(createChatUnreadStore.name, () => {
  it('follows unread frames, keeps them over older HTTP answers, and refetches on reconnect', async () => {
    const answers: Array<(value: UnreadResponse) => void> = [];
    const fetchUnread = vi.fn(
      () => new Promise<UnreadResponse>((resolve) => answers.push(resolve)),
    );
    const connection = new FakeConnection();
    const sut = createChatUnreadStore({ fetchUnread, connection, pollDelay: () => 300_000 });

    connection.emit('unread', { conversationId: 'th_1', count: 2, total: 3 });
    answers[0]!({ total: 0, conversations: {}, hasMore: false });
    await vi.waitFor(() => expect(fetchUnread).toHaveBeenCalledTimes(1));
    await Promise.resolve();
    expect(sut.store.getState()).toEqual({ total: 3, conversations: { th_1: 2 } });

    sut.conversationRead('th_1');
    expect(sut.store.getState()).toEqual({ total: 1, conversations: { th_1: 0 } });

    connection.setState('connected');
    connection.setState('reconnecting');
    connection.setState('connected');
    await vi.waitFor(() => expect(fetchUnread).toHaveBeenCalledTimes(2));
    answers[1]!({ total: 5, conversations: { th_1: 5 }, hasMore: false });
    await vi.waitFor(() => expect(sut.store.getState().total).toBe(5));
    sut.stop();
  });

  it('never counts messages itself: the server counts those of an open thread too', async () => {
    const connection = new FakeConnection();
    const sut = createChatUnreadStore({
      fetchUnread: async () => ({ total: 0, conversations: {}, hasMore: false }),
      connection,
      pollDelay: () => 300_000,
    });
    await vi.waitFor(() => expect(sut.store.getState().total).toBe(0));
    expect('messageArrived' in sut).toBe(false);
    connection.emit('unread', { conversationId: 'th_1', count: 1, total: 1 });
    expect(sut.store.getState()).toEqual({ total: 1, conversations: { th_1: 1 } });
    sut.stop();
  });

  it('asks again when the ready frame disagrees with what it holds', async () => {
    const connection = new FakeConnection();
    const fetchUnread = vi.fn(async () => ({ total: 0, conversations: {}, hasMore: false }));
    const sut = createChatUnreadStore({ fetchUnread, connection, pollDelay: () => 300_000 });
    await vi.waitFor(() => expect(fetchUnread).toHaveBeenCalledTimes(1));
    connection.emit('ready', {
      userId: 'u',
      connectionId: 'c',
      heartbeatMs: 25_000,
      unread: { notifications: 0, chat: 0 },
    });
    expect(fetchUnread).toHaveBeenCalledTimes(1);
    connection.emit('ready', {
      userId: 'u',
      connectionId: 'c',
      heartbeatMs: 25_000,
      unread: { notifications: 0, chat: 2 },
    });
    expect(fetchUnread).toHaveBeenCalledTimes(2);
    sut.stop();
  });
});
