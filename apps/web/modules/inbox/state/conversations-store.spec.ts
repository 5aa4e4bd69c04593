import type { ConversationListItem, Message } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { FakeConnection } from '@/test/support/fake-connection';
import {
  createConversationsStore,
  LIST_REFRESH_DEBOUNCE_MS,
  type ListConversations,
} from './conversations-store';

const message = (conversationId: string, seq: number): Message => ({
  id: `m${seq}`,
  conversationId,
  seq,
  author: { id: 'u2', name: 'Linh', handle: 'linh', role: 'staff' },
  body: `message ${seq}`,
  mentions: [],
  createdAt: '2026-01-01T00:00:00.000Z',
});

const item = (id: string, lastSeq: number, unreadCount = 0): ConversationListItem => ({
  id,
  bookingRef: id.toUpperCase(),
  title: `Booking ${id}`,
  lastMessage: message(id, lastSeq),
  unreadCount,
});

const ids = (sut: ReturnType<typeof createConversationsStore>) =>
  sut.store.getState().items?.map((entry) => entry.id);

describe(createConversationsStore.name, () => {
  it('pages with the server’s cursor and asks again from the first page for a new query', async () => {
    const list = vi.fn<ListConversations>(async (query) =>
      query.cursor
        ? { conversations: [item('c', 1), item('a', 9)], nextCursor: null }
        : { conversations: [item('a', 9), item('b', 8)], nextCursor: 'next' },
    );
    const sut = createConversationsStore({ list, connection: null, pollDelay: () => 300_000 });
    await vi.waitFor(() => expect(ids(sut)).toEqual(['a', 'b']));
    await sut.loadMore();
    expect(list).toHaveBeenLastCalledWith({
      scope: 'mine',
      unread: false,
      search: '',
      cursor: 'next',
      limit: undefined,
    });
    expect(ids(sut)).toEqual(['a', 'b', 'c']);
    expect(sut.store.getState().nextCursor).toBeNull();

    sut.setQuery({ search: 'hoi an', unread: true });
    expect(sut.store.getState().items).toBeNull();
    await vi.waitFor(() => expect(sut.store.getState().items).not.toBeNull());
    expect(list).toHaveBeenLastCalledWith(
      expect.objectContaining({ search: 'hoi an', unread: true, cursor: undefined }),
    );
    sut.stop();
  });

  it('moves a thread to the top with the message an unread frame or an open thread brings', async () => {
    const connection = new FakeConnection();
    const sut = createConversationsStore({
      list: async () => ({ conversations: [item('a', 3), item('b', 7)], nextCursor: null }),
      connection,
      pollDelay: () => 300_000,
    });
    await vi.waitFor(() => expect(ids(sut)).toEqual(['a', 'b']));
    connection.emit('unread', {
      conversationId: 'b',
      count: 2,
      total: 2,
      lastMessage: message('b', 8),
    });
    expect(ids(sut)).toEqual(['b', 'a']);
    expect(sut.store.getState().items![0]).toMatchObject({
      unreadCount: 2,
      lastMessage: { seq: 8 },
    });
    sut.messageSeen(message('a', 4));
    sut.messageSeen(message('a', 2));
    expect(ids(sut)).toEqual(['a', 'b']);
    // A read: the count changes, the place does not.
    connection.emit('unread', { conversationId: 'b', count: 0, total: 0 });
    expect(ids(sut)).toEqual(['a', 'b']);
    expect(sut.store.getState().items![1]!.unreadCount).toBe(0);
    sut.stop();
  });

  it('asks for the first page again, once a burst is over, when a thread it does not hold moves', async () => {
    vi.useFakeTimers();
    try {
      const connection = new FakeConnection();
      const list = vi.fn<ListConversations>(async () => ({
        conversations: [item('a', 1)],
        nextCursor: null,
      }));
      const sut = createConversationsStore({ list, connection, pollDelay: () => 300_000 });
      await vi.advanceTimersByTimeAsync(0);
      expect(list).toHaveBeenCalledTimes(1);
      for (let seq = 1; seq <= 5; seq += 1) {
        connection.emit('unread', {
          conversationId: 'new',
          count: seq,
          total: seq,
          lastMessage: message('new', seq),
        });
      }
      await vi.advanceTimersByTimeAsync(LIST_REFRESH_DEBOUNCE_MS);
      expect(list).toHaveBeenCalledTimes(2);
      sut.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
