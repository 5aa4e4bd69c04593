import type { ConversationListItem, Message } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { FakeConnection } from '@/test/support/fake-connection';
import { createConversationsStore, LIST_REFRESH_DEBOUNCE_MS } from './conversations-store';

const message = (conversationId: string, seq: number): Message => ({
  id: `m${seq}`,
  conversationId,
  seq,
  author: { id: 'u2', name: 'Linh', handle: 'linh', role: 'staff' },
  body: `message ${seq}`,
  mentions: [],
  createdAt: '2026-01-01T00:00:00.000Z',
});

const item = (id: string, lastSeq: number): ConversationListItem => ({
  id,
  bookingRef: id.toUpperCase(),
  title: `Booking ${id}`,
  lastMessage: message(id, lastSeq),
  unreadCount: 0,
});

describe(createConversationsStore.name, () => {
  it('moves a conversation to the top with a message seen in its open thread', async () => {
    const sut = createConversationsStore({
      fetchList: async () => [item('a', 3), item('b', 7)],
      connection: null,
      pollDelay: () => 300_000,
    });
    await vi.waitFor(() => expect(sut.store.getState().items).toHaveLength(2));
    sut.messageSeen(message('b', 8));
    sut.messageSeen(message('b', 6));
    expect(sut.store.getState().items!.map((entry) => [entry.id, entry.lastMessage?.seq])).toEqual([
      ['b', 8],
      ['a', 3],
    ]);
    sut.stop();
  });

  it('asks again once a burst of unread frames is over, and per scope', async () => {
    vi.useFakeTimers();
    try {
      const connection = new FakeConnection();
      const fetchList = vi.fn(async () => [item('a', 1)]);
      const sut = createConversationsStore({ fetchList, connection, pollDelay: () => 300_000 });
      await vi.advanceTimersByTimeAsync(0);
      expect(fetchList).toHaveBeenCalledTimes(1);
      for (let count = 1; count <= 5; count += 1) {
        connection.emit('unread', { conversationId: 'a', count, total: count });
      }
      await vi.advanceTimersByTimeAsync(LIST_REFRESH_DEBOUNCE_MS);
      expect(fetchList).toHaveBeenCalledTimes(2);
      sut.setScope('all');
      expect(sut.store.getState().items).toBeNull();
      await vi.advanceTimersByTimeAsync(0);
      expect(fetchList).toHaveBeenLastCalledWith('all');
      expect(sut.store.getState().items).toHaveLength(1);
      sut.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
