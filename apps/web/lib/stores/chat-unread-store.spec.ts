import type { UnreadResponse } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { FakeConnection } from '../../test/support/fake-connection';
import { ChatUnreadStore } from './chat-unread-store';

describe(ChatUnreadStore.name, () => {
  it('follows unread frames, keeps them over older HTTP answers, and refetches on reconnect', async () => {
    const answers: Array<(value: UnreadResponse) => void> = [];
    const fetchUnread = vi.fn(
      () => new Promise<UnreadResponse>((resolve) => answers.push(resolve)),
    );
    const connection = new FakeConnection();
    const sut = new ChatUnreadStore({ fetchUnread, pollDelay: () => 300_000 });
    sut.start(connection);

    connection.emit('unread', { conversationId: 'th_1', count: 2, total: 3 });
    answers[0]!({ total: 0, conversations: {} });
    await vi.waitFor(() => expect(fetchUnread).toHaveBeenCalledTimes(1));
    await Promise.resolve();
    expect(sut.getSnapshot()).toEqual({ total: 3, conversations: { th_1: 2 } });

    sut.markConversationRead('th_1');
    expect(sut.getSnapshot()).toEqual({ total: 1, conversations: { th_1: 0 } });

    connection.setState('connected');
    connection.setState('reconnecting');
    connection.setState('connected');
    await vi.waitFor(() => expect(fetchUnread).toHaveBeenCalledTimes(2));
    answers[1]!({ total: 5, conversations: { th_1: 5 } });
    await vi.waitFor(() => expect(sut.getSnapshot().total).toBe(5));
    sut.stop();
  });

  it('counts messages that arrive in an open thread, each seq once, until the thread is read', async () => {
    const fetchUnread = vi.fn(async (): Promise<UnreadResponse> => ({
      total: 1,
      conversations: { th_2: 1 },
    }));
    const sut = new ChatUnreadStore({ fetchUnread, pollDelay: () => 300_000 });
    sut.start(new FakeConnection());
    await vi.waitFor(() => expect(sut.getSnapshot().total).toBe(1));

    sut.messageArrived('th_1', 4);
    sut.messageArrived('th_1', 4);
    sut.messageArrived('th_1', 5);
    expect(sut.getSnapshot()).toEqual({ total: 3, conversations: { th_1: 2, th_2: 1 } });

    sut.markConversationRead('th_1');
    sut.messageArrived('th_1', 5);
    expect(sut.getSnapshot()).toEqual({ total: 1, conversations: { th_1: 0, th_2: 1 } });
    sut.stop();
  });
});
