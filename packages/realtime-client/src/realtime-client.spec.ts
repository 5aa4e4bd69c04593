import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Message } from '@chat/protocol';
import { type ConnectionState, RealtimeClient, type WebSocketLike } from './realtime-client';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  readonly sent: Array<{ event: string; data: Record<string, unknown>; ref?: string }> = [];

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.readyState = 3;
  }

  /** The server accepts and says `ready`. */
  accept(heartbeatMs = 25_000): void {
    this.readyState = 1;
    this.onopen?.({});
    this.serve('ready', {
      userId: 'u1',
      connectionId: 'c1',
      heartbeatMs,
      unread: { notifications: 0, chat: 0 },
    });
  }

  serve(event: string, data: unknown, ref?: string): void {
    this.onmessage?.({ data: JSON.stringify({ event, data, ...(ref ? { ref } : {}) }) });
  }

  drop(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  sentEvents(event: string) {
    return this.sent.filter((frame) => frame.event === event);
  }
}

function message(seq: number, conversationId = 'th_1'): Message {
  return {
    id: `m${seq}`,
    conversationId,
    seq,
    author: { id: 'u2', name: 'Two', handle: 'two', role: 'staff' },
    body: `message ${seq}`,
    mentions: [],
    createdAt: new Date(0).toISOString(),
  };
}

describe(RealtimeClient.name, () => {
  let sockets: FakeSocket[];
  let states: ConnectionState[];
  let sut: RealtimeClient;
  const latest = () => sockets[sockets.length - 1]!;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    states = [];
    sut = new RealtimeClient({
      url: 'ws://test/ws/chat',
      createWebSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      random: () => 0.5,
    });
    sut.on('state', (state) => states.push(state));
  });
  afterEach(() => {
    sut.close();
    vi.useRealTimers();
  });

  it('goes connecting → connected on ready, and subscribes then', () => {
    sut.subscribe('th_1');
    sut.connect();
    expect(sut.state).toBe('connecting');
    latest().accept();
    expect(sut.state).toBe('connected');
    expect(latest().sentEvents('subscribe')).toEqual([
      { event: 'subscribe', data: { conversationId: 'th_1' } },
    ]);
  });

  it('reconnects after 1012 with backoff and resubscribes with since = the last seq seen', () => {
    const received: number[] = [];
    sut.on('message', (item) => received.push(item.seq));
    sut.subscribe('th_1', { since: 3 });
    sut.connect();
    latest().accept();
    expect(latest().sentEvents('subscribe')[0]!.data).toEqual({ conversationId: 'th_1', since: 3 });
    for (const seq of [4, 5, 5, 3, 6])
      latest().serve('message.new', { conversationId: 'th_1', message: message(seq) });
    expect(received).toEqual([4, 5, 6]);

    latest().drop(1012, 'service restart');
    expect(sut.state).toBe('reconnecting');
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(250); // random 0.5 × 500 ms for the first attempt
    expect(sockets).toHaveLength(2);
    latest().accept();
    expect(sut.state).toBe('connected');
    expect(latest().sentEvents('subscribe')[0]!.data).toEqual({ conversationId: 'th_1', since: 6 });
    latest().serve('message.new', { conversationId: 'th_1', message: message(6) });
    latest().serve('message.new', { conversationId: 'th_1', message: message(7) });
    expect(received).toEqual([4, 5, 6, 7]);
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('forgets a subscription the server ends (access lost), but not on the answer to its own unsubscribe', () => {
    const ended: string[] = [];
    sut.on('unsubscribed', (conversationId) => ended.push(conversationId));
    sut.subscribe('th_1');
    sut.subscribe('th_2');
    sut.connect();
    latest().accept();
    sut.unsubscribe('th_2');
    const ref = latest().sentEvents('unsubscribe')[0]!.ref;
    expect(ref).toBeDefined();
    sut.subscribe('th_2');
    latest().serve('unsubscribed', { conversationId: 'th_2' }, ref);
    latest().serve('unsubscribed', { conversationId: 'th_1' });
    expect(ended).toEqual(['th_1']);

    latest().drop(1012);
    vi.advanceTimersByTime(250);
    latest().accept();
    expect(
      latest()
        .sentEvents('subscribe')
        .map((frame) => frame.data.conversationId),
    ).toEqual(['th_2']);
  });

  it('backs off further on each failed attempt and resets after a ready', () => {
    sut.connect();
    latest().drop(1006);
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    latest().drop(1006);
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    latest().accept();
    latest().drop(1013);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(4);
  });

  it('does not reconnect after 4401 (session ended) or a policy close', () => {
    sut.connect();
    latest().accept();
    latest().drop(4401, 'session ended');
    expect(sut.state).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);

    sut.connect();
    latest().accept();
    latest().drop(1008, 'rate limit exceeded');
    expect(sut.state).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('pings when the line is quiet and reconnects when no answer comes', () => {
    sut.connect();
    latest().accept(20_000);
    vi.advanceTimersByTime(20_000);
    expect(latest().sentEvents('ping')).toHaveLength(1);
    latest().serve('pong', {});
    vi.advanceTimersByTime(20_000);
    expect(latest().sentEvents('ping')).toHaveLength(2);
    expect(sut.state).toBe('connected');
    vi.advanceTimersByTime(10_000);
    expect(sut.state).toBe('reconnecting');
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it('gives up on a socket that never says ready', () => {
    sut.connect();
    vi.advanceTimersByTime(10_000);
    expect(sut.state).toBe('reconnecting');
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it('reports recovered:false as a resync and follows on from the server lastSeq', () => {
    const resyncs: Array<[string, number]> = [];
    sut.on('resync', (conversationId, lastSeq) => resyncs.push([conversationId, lastSeq]));
    sut.subscribe('th_1', { since: 1 });
    sut.connect();
    latest().accept();
    latest().serve('subscribed', { conversationId: 'th_1', recovered: false, lastSeq: 900 });
    expect(resyncs).toEqual([['th_1', 900]]);
    expect(sut.lastSeq('th_1')).toBe(900);
  });

  it('asks again from the last seq if a message ever skips ahead', () => {
    sut.subscribe('th_1', { since: 0 });
    sut.connect();
    latest().accept();
    latest().serve('message.new', { conversationId: 'th_1', message: message(1) });
    latest().serve('message.new', { conversationId: 'th_1', message: message(3) });
    expect(sut.lastSeq('th_1')).toBe(1);
    expect(
      latest()
        .sentEvents('subscribe')
        .map((frame) => frame.data.since),
    ).toEqual([0, 1]);
  });

  it('resolves sends on their ack and rejects them on an error with the same ref', async () => {
    sut.connect();
    latest().accept();
    const sent = sut.sendMessage('th_1', 'hello', 'client-1');
    const frame = latest().sentEvents('message.send')[0]!;
    expect(frame.data).toEqual({
      conversationId: 'th_1',
      body: 'hello',
      clientMessageId: 'client-1',
    });
    latest().serve('message.ack', { clientMessageId: 'client-1', message: message(1) }, frame.ref);
    await expect(sent).resolves.toMatchObject({ seq: 1 });

    const refused = sut.sendMessage('th_2', 'hello');
    const second = latest().sentEvents('message.send')[1]!;
    latest().serve('error', { code: 'forbidden', message: 'no', ref: second.ref }, second.ref);
    await expect(refused).rejects.toMatchObject({ code: 'forbidden' });

    const lost = sut.sendMessage('th_1', 'hello again');
    latest().drop(1006);
    await expect(lost).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('hands read receipts on as they come', () => {
    const receipts: unknown[] = [];
    sut.on('receipt', (data) => receipts.push(data));
    sut.connect();
    latest().accept();
    latest().serve('read.receipt', { conversationId: 'th_1', userId: 'u2', seq: 4 });
    expect(receipts).toEqual([{ conversationId: 'th_1', userId: 'u2', seq: 4 }]);
  });

  it('throttles typing to one frame per relay interval', () => {
    sut.connect();
    latest().accept();
    sut.typing('th_1');
    sut.typing('th_1');
    vi.advanceTimersByTime(1_999);
    sut.typing('th_1');
    vi.advanceTimersByTime(1);
    sut.typing('th_1');
    expect(latest().sentEvents('typing')).toHaveLength(2);
  });

  it('drops a live socket as soon as the browser goes offline, and reconnects once it is back', () => {
    const browser = Object.assign(new EventTarget(), { navigator: { onLine: true } });
    vi.stubGlobal('window', browser);
    try {
      sut.subscribe('th_1', { since: 2 });
      sut.connect();
      latest().accept();
      browser.navigator.onLine = false;
      browser.dispatchEvent(new Event('offline'));
      // At once, not after a heartbeat and a pong timeout.
      expect(sut.state).toBe('offline');
      expect(latest().readyState).toBe(3);
      vi.advanceTimersByTime(60_000);
      expect(sockets).toHaveLength(1);
      browser.navigator.onLine = true;
      browser.dispatchEvent(new Event('online'));
      expect(sockets).toHaveLength(2);
      latest().accept();
      expect(sut.state).toBe('connected');
      expect(latest().sentEvents('subscribe')[0]!.data).toEqual({
        conversationId: 'th_1',
        since: 2,
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('stays closed after close() and reconnects nothing', () => {
    sut.connect();
    latest().accept();
    sut.close();
    expect(sut.state).toBe('closed');
    latest().drop(1006);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});
