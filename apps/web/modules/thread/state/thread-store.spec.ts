import type { Message } from '@chat/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api-client';
import type { ConversationHandlers } from '@/lib/realtime/connection';
import { FakeConnection } from '@/test/support/fake-connection';
import {
  mergeMessages,
  ThreadStore,
  type ThreadApi,
  type ThreadStoreOptions,
} from './thread-store';

const alice = { id: 'u_alice', name: 'Alice', handle: 'alice', role: 'customer' as const };
const linh = { id: 'u_linh', name: 'Linh', handle: 'linh', role: 'staff' as const };

const message = (
  seq: number,
  author: Message['author'] = alice,
  body = `m${seq}`,
  clientMessageId?: string,
): Message => ({
  id: `msg_${seq}`,
  conversationId: 'th_1',
  seq,
  author,
  body,
  mentions: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  ...(clientMessageId ? { clientMessageId } : {}),
});

function fakeApi(overrides: Partial<ThreadApi> = {}): ThreadApi {
  const conversation = {
    id: 'th_1',
    booking: { id: 'bk_1', ref: 'BK-1', country: 'VN' },
    title: 'Booking BK-1',
    participants: [alice, linh],
    readMarkers: { u_alice: 0, u_linh: 0 },
  };
  return {
    open: vi.fn(async () => conversation),
    conversation: vi.fn(async () => ({
      id: 'th_1',
      booking: { id: 'bk_1', ref: 'BK-1', country: 'VN' },
      title: 'Booking BK-1',
      participants: [alice, linh],
      readMarkers: { u_alice: 0, u_linh: 0 },
    })),
    header: vi.fn(async () => ({ creator: alice, manager: linh, participants: [alice, linh] })),
    messages: vi.fn(async () => ({ messages: [message(1), message(2)], hasMore: false })),
    post: vi.fn(async (_id, body, clientMessageId) => message(3, alice, body, clientMessageId)),
    read: vi.fn(async () => undefined),
    presence: vi.fn(async () => ({ members: [{ userId: 'u_linh', online: true }] })),
    ...overrides,
  };
}

/** A store for th_1 as linh, opened on a fake socket, with the handlers of its subscription. */
async function openThread(
  options: Partial<ThreadStoreOptions> = {},
  connection = new FakeConnection(),
) {
  const api = options.api ?? fakeApi();
  const sut = new ThreadStore({
    conversationId: 'th_1',
    currentUserId: 'u_linh',
    withHeader: false,
    ...options,
    api,
  });
  await sut.open(connection);
  return { sut, api, connection, handlers: liveHandlers(connection) };
}

/** What the store passed to its latest `subscribeConversation`. */
function liveHandlers(connection: FakeConnection): Required<ConversationHandlers> {
  const calls = connection.subscribeConversation.mock.calls as unknown[][];
  return calls.at(-1)?.[2] as Required<ConversationHandlers>;
}

describe(mergeMessages.name, () => {
  it('keeps each seq once, in order', () => {
    const merged = mergeMessages([message(1), message(3)], [message(3), message(2), message(4)]);
    expect(merged.map((item) => item.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe(ThreadStore.name, () => {
  it('stops at the access check: forbidden loads nothing else and subscribes to nothing', async () => {
    const api = fakeApi({
      open: vi.fn(async () => {
        throw new ApiError(403, 'forbidden', 'no');
      }),
    });
    const connection = new FakeConnection();
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_somchai',
      api,
      withHeader: true,
    });
    await sut.open(connection);
    expect(sut.state.status).toBe('forbidden');
    expect(api.open).toHaveBeenCalledWith('th_1');
    expect(api.conversation).not.toHaveBeenCalled();
    expect(api.messages).not.toHaveBeenCalled();
    expect(api.header).not.toHaveBeenCalled();
    expect(connection.subscribeConversation).not.toHaveBeenCalled();
  });

  it('subscribes after the history with since = last seq, and ignores duplicates', async () => {
    const connection = new FakeConnection();
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_linh',
      api: fakeApi(),
      withHeader: false,
    });
    await sut.open(connection);
    expect(connection.subscribeConversation).toHaveBeenCalledWith('th_1', 2, expect.anything());
    sut.receive(message(3));
    sut.receive(message(3));
    sut.receive(message(2));
    expect(sut.state.messages.map((item) => item.seq)).toEqual([1, 2, 3]);
    expect(sut.state.lastIncoming?.seq).toBe(3);
    expect(sut.state.header).toBeNull();
  });

  it('gives way to the forbidden view when the server ends the subscription and access is gone', async () => {
    const connection = new FakeConnection();
    const stopLive = vi.fn();
    connection.subscribeConversation.mockImplementation(() => stopLive);
    const { sut, api, handlers } = await openThread({ withHeader: true }, connection);
    expect(sut.state).toMatchObject({
      status: 'ready',
      messages: [message(1), message(2)],
    });
    api.conversation = vi.fn(async () => {
      throw new ApiError(403, 'forbidden', 'no');
    });
    handlers.onEnded();
    await vi.waitFor(() => expect(sut.state.status).toBe('forbidden'));
    expect(sut.state).toMatchObject({ messages: [], conversation: null, header: null });
    // Nothing of the thread arrives any more.
    expect(stopLive).toHaveBeenCalledTimes(1);
    connection.emit('typing', { conversationId: 'th_1', userId: 'u_alice', expiresInMs: 3_000 });
    expect(sut.state).toMatchObject({ messages: [], typing: {} });
    expect(connection.subscribeConversation).toHaveBeenCalledTimes(1);
  });

  it('subscribes again, from its last seq, when the thread is still open after the server ended it', async () => {
    const { sut, connection, handlers } = await openThread();
    sut.receive(message(3));
    handlers.onEnded();
    await vi.waitFor(() => expect(connection.subscribeConversation).toHaveBeenCalledTimes(2));
    expect(connection.subscribeConversation).toHaveBeenLastCalledWith('th_1', 3, expect.anything());
    expect(sut.state).toMatchObject({ status: 'ready' });
    expect(sut.state.messages.map((item) => item.seq)).toEqual([1, 2, 3]);
  });

  it('does not pass on the replay after a reconnect as new messages', async () => {
    const onIncoming = vi.fn();
    const { sut, connection, handlers } = await openThread({ onIncoming });
    connection.setState('connected');
    handlers.onSubscribed({ conversationId: 'th_1', recovered: true, lastSeq: 2 });
    handlers.onMessage(message(3));
    expect(onIncoming).toHaveBeenCalledTimes(1);

    // The socket drops and comes back: seqs 4 and 5 are the replay of the gap.
    connection.setState('reconnecting');
    connection.setState('connected');
    handlers.onMessage(message(4));
    handlers.onMessage(message(5));
    expect(onIncoming).toHaveBeenCalledTimes(1);
    handlers.onSubscribed({ conversationId: 'th_1', recovered: true, lastSeq: 5 });
    // Live again.
    handlers.onMessage(message(6));
    expect(onIncoming).toHaveBeenCalledTimes(2);
    expect(onIncoming).toHaveBeenLastCalledWith(message(6));
    expect(sut.state.messages.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refetches the latest page when the server could not replay the gap', async () => {
    const { sut, api, handlers } = await openThread();
    api.messages = vi.fn(async () => ({ messages: [message(300), message(301)], hasMore: true }));
    handlers.onSubscribed({ conversationId: 'th_1', recovered: false, lastSeq: 301 });
    await vi.waitFor(() => expect(sut.state.messages.at(-1)?.seq).toBe(301));
    // Nothing across the hole is kept: older pages are loaded on demand.
    expect(sut.state.messages.map((item) => item.seq)).toEqual([300, 301]);
    expect(sut.state.hasMore).toBe(true);
  });

  it('reads presence again once subscribed: someone who came online while the thread loaded shows online', async () => {
    const { sut, api, handlers } = await openThread({
      api: fakeApi({
        presence: vi.fn(async () => ({ members: [{ userId: 'u_alice', online: false }] })),
      }),
    });
    expect(sut.state.presence).toEqual({ u_alice: false });
    // Alice connected after that snapshot and before the subscription was live: no frame came.
    api.presence = vi.fn(async () => ({ members: [{ userId: 'u_alice', online: true }] }));
    handlers.onSubscribed({ conversationId: 'th_1', recovered: true, lastSeq: 2 });
    await vi.waitFor(() => expect(sut.state.presence).toEqual({ u_alice: true }));
  });

  it('keeps a presence frame that arrives while the snapshot is read', async () => {
    const { sut, api, connection, handlers } = await openThread();
    type Presence = Awaited<ReturnType<ThreadApi['presence']>>;
    let answer: (value: Presence) => void = () => undefined;
    api.presence = vi.fn(() => new Promise<Presence>((resolve) => (answer = resolve)));
    handlers.onSubscribed({ conversationId: 'th_1', recovered: true, lastSeq: 2 });
    connection.emit('presence', { conversationId: 'th_1', userId: 'u_alice', online: false });
    // Read before alice left.
    answer({
      members: [
        { userId: 'u_alice', online: true },
        { userId: 'u_linh', online: true },
      ],
    });
    await vi.waitFor(() => expect(sut.state.presence).toEqual({ u_alice: false, u_linh: true }));
  });

  it('sends optimistically and retries with the same clientMessageId', async () => {
    let attempts = 0;
    const ids: string[] = [];
    const api = fakeApi({
      post: vi.fn(async (_id, body, clientMessageId) => {
        ids.push(clientMessageId);
        attempts += 1;
        if (attempts === 1) throw new ApiError(502, 'bad_gateway', 'down');
        return message(3, alice, body, clientMessageId);
      }),
    });
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_alice',
      api,
      withHeader: false,
      sendRetryDelaysMs: [],
    });
    await sut.open(null);
    sut.send('hello');
    expect(sut.state.pending).toMatchObject([{ body: 'hello', status: 'sending' }]);
    await sut.settled();
    expect(sut.state.pending).toMatchObject([{ body: 'hello', status: 'failed' }]);
    sut.retry(sut.state.pending[0]!.clientMessageId);
    await sut.settled();
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(sut.state.pending).toEqual([]);
    expect(sut.state.messages.at(-1)?.body).toBe('hello');
  });

  it('resends by itself after transient failures, with the same clientMessageId', async () => {
    const ids: string[] = [];
    const failures = [new TypeError('fetch failed'), new ApiError(503, 'unavailable', 'down')];
    const api = fakeApi({
      post: vi.fn(async (_id, body, clientMessageId) => {
        ids.push(clientMessageId);
        const failure = failures.shift();
        if (failure) throw failure;
        return message(3, alice, body, clientMessageId);
      }),
    });
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_alice',
      api,
      withHeader: false,
      sendRetryDelaysMs: [1, 1, 1],
    });
    await sut.open(null);
    sut.send('hello');
    await sut.settled();
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(sut.state.pending).toEqual([]);
    expect(sut.state.messages.at(-1)?.body).toBe('hello');
  });

  it('does not resend what the API refused', async () => {
    const api = fakeApi({
      post: vi.fn(async () => {
        throw new ApiError(403, 'forbidden', 'no');
      }),
    });
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_alice',
      api,
      withHeader: false,
      sendRetryDelaysMs: [1, 1, 1],
    });
    await sut.open(null);
    sut.send('hello');
    await sut.settled();
    expect(api.post).toHaveBeenCalledTimes(1);
    expect(sut.state.pending).toMatchObject([{ body: 'hello', status: 'failed' }]);
  });

  it('settles a pending send by its clientMessageId when its echo arrives on the socket first', async () => {
    let answer!: (value: Message) => void;
    const api = fakeApi({
      post: vi.fn(() => new Promise<Message>((resolve) => (answer = resolve))),
    });
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_alice',
      api,
      withHeader: false,
    });
    await sut.open(null);
    sut.send('ok');
    sut.send('ok');
    const [first, second] = sut.state.pending;
    // The same words from another tab of ours settle nothing.
    sut.receive(message(3, alice, 'ok', 'other-tab'));
    expect(sut.state.pending).toHaveLength(2);
    sut.receive(message(4, alice, 'ok', first!.clientMessageId));
    expect(sut.state.pending.map((entry) => entry.clientMessageId)).toEqual([
      second!.clientMessageId,
    ]);
    answer(message(4, alice, 'ok', first!.clientMessageId));
    await vi.waitFor(() => expect(api.post).toHaveBeenCalledTimes(2));
    answer(message(5, alice, 'ok', second!.clientMessageId));
    await sut.settled();
    expect(sut.state.pending).toEqual([]);
    expect(sut.state.messages.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends one message at a time, in the order written, whatever order the answers would come in', async () => {
    const answers: Array<{ body: string; resolve: (value: Message) => void }> = [];
    const api = fakeApi({
      post: vi.fn(
        (_id, body) =>
          new Promise<Message>((resolve) => {
            answers.push({ body, resolve });
          }),
      ),
    });
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_alice',
      api,
      withHeader: false,
    });
    await sut.open(null);
    for (const body of ['one', 'two', 'three']) sut.send(body);
    expect(answers.map((answer) => answer.body)).toEqual(['one']);
    expect(sut.state.pending.map((entry) => entry.status)).toEqual(['sending', 'queued', 'queued']);
    answers[0]!.resolve(message(3, alice, 'one'));
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    answers[1]!.resolve(message(4, alice, 'two'));
    await vi.waitFor(() => expect(answers).toHaveLength(3));
    answers[2]!.resolve(message(5, alice, 'three'));
    await sut.settled();
    expect(answers.map((answer) => answer.body)).toEqual(['one', 'two', 'three']);
  });

  it('holds messages written offline and sends them in order once the socket is back', async () => {
    let online = false;
    const bodies: string[] = [];
    let seq = 2;
    const api = fakeApi({
      post: vi.fn(async (_id, body, clientMessageId) => {
        bodies.push(body);
        return message(++seq, alice, body, clientMessageId);
      }),
    });
    const connection = new FakeConnection();
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_alice',
      api,
      withHeader: false,
      isOnline: () => online,
    });
    await sut.open(connection);
    connection.setState('connected');
    connection.setState('offline');
    sut.send('first');
    sut.send('second');
    expect(sut.state.pending.map((entry) => entry.status)).toEqual(['queued', 'queued']);
    expect(api.post).not.toHaveBeenCalled();
    online = true;
    connection.setState('connected');
    await vi.waitFor(() => expect(sut.state.pending).toEqual([]));
    expect(bodies).toEqual(['first', 'second']);
  });

  it('puts a send back in the queue when the network goes away during it', async () => {
    let online = true;
    let attempts = 0;
    const api = fakeApi({
      post: vi.fn(async (_id, body, clientMessageId) => {
        attempts += 1;
        if (attempts === 1) {
          online = false;
          throw new TypeError('Failed to fetch');
        }
        return message(3, alice, body, clientMessageId);
      }),
    });
    const connection = new FakeConnection();
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_alice',
      api,
      withHeader: false,
      isOnline: () => online,
    });
    await sut.open(connection);
    sut.send('hello');
    await sut.settled();
    expect(sut.state.pending).toMatchObject([{ status: 'queued' }]);
    online = true;
    connection.setState('connected');
    await vi.waitFor(() => expect(sut.state.pending).toEqual([]));
    expect(attempts).toBe(2);
  });

  it('shows where the unread messages start and follows read receipts forward', async () => {
    const connection = new FakeConnection();
    const api = fakeApi({
      open: vi.fn(async () => ({
        id: 'th_1',
        booking: { id: 'bk_1', ref: 'BK-1', country: 'VN' },
        title: 'Booking BK-1',
        participants: [alice, linh],
        readMarkers: { u_alice: 3, u_linh: 1 },
      })),
      messages: vi.fn(async () => ({
        messages: [message(1), message(2, linh), message(3, linh), message(4)],
        hasMore: false,
      })),
    });
    const { sut } = await openThread({ api }, connection);
    // Linh read up to 1; 2 and 3 are her own, 4 is the first from someone else after it.
    expect(sut.state.firstUnreadSeq).toBe(4);
    expect(sut.state.readMarkers).toEqual({ u_alice: 3, u_linh: 1 });
    connection.emit('read.receipt', { conversationId: 'th_1', userId: 'u_alice', seq: 4 });
    connection.emit('read.receipt', { conversationId: 'th_1', userId: 'u_alice', seq: 2 });
    connection.emit('read.receipt', { conversationId: 'th_other', userId: 'u_alice', seq: 9 });
    expect(sut.state.readMarkers).toEqual({ u_alice: 4, u_linh: 1 });
  });

  it('passes on each new message from someone else, once, to tell the user', async () => {
    const onIncoming = vi.fn();
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_linh',
      api: fakeApi(),
      withHeader: false,
      onIncoming,
    });
    await sut.open(new FakeConnection());
    sut.receive(message(3));
    sut.receive(message(3));
    sut.receive(message(4, linh));
    sut.receive(message(5));
    expect(onIncoming.mock.calls.map(([incoming]) => (incoming as Message).seq)).toEqual([3, 5]);
  });

  it('marks read only forward', async () => {
    const api = fakeApi();
    const onRead = vi.fn();
    const sut = new ThreadStore({
      conversationId: 'th_1',
      currentUserId: 'u_linh',
      api,
      withHeader: false,
      onRead,
    });
    await sut.markRead(2);
    await sut.markRead(1);
    await sut.markRead(2);
    expect(api.read).toHaveBeenCalledTimes(1);
    expect(api.read).toHaveBeenCalledWith('th_1', 2);
    expect(onRead).toHaveBeenCalledWith('th_1');
  });

  it('passes typing on to the socket, which throttles it (one place, not three)', async () => {
    const connection = new FakeConnection();
    const { sut } = await openThread({}, connection);
    sut.typing();
    sut.typing();
    expect(connection.sendTyping).toHaveBeenCalledTimes(2);
    expect(connection.sendTyping).toHaveBeenCalledWith('th_1');
    sut.close();
  });
});
