import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ConnectionState, RealtimeClient, type WebSocketLike } from '@chat/realtime-client';
import { type Message } from '@chat/protocol';
import { type ApiInstance, startApi } from './support/api-instance';
import { BK_1001_THREAD, DEMO } from './support/http-client';
import { postMessage, range, signIn } from './support/realtime';
import { wsUrl } from './support/ws-client';

/** @chat/realtime-client against the real gateway (Node, with `ws` carrying the cookie). */
describe('RealtimeClient against the gateway', () => {
  let api: ApiInstance;
  const clients: RealtimeClient[] = [];

  beforeEach(async () => {
    api = await startApi();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await api.close();
  });

  async function connectedClient(email: string) {
    const session = await signIn(api, email);
    const sockets: WebSocket[] = [];
    const client = new RealtimeClient({
      url: wsUrl(api.baseUrl),
      createWebSocket: (url) => {
        const socket = new WebSocket(url, { headers: { cookie: session.cookie } });
        sockets.push(socket);
        return socket as unknown as WebSocketLike;
      },
      backoff: { baseMs: 50, maxMs: 500 },
    });
    clients.push(client);
    const states: Array<[ConnectionState, number | undefined]> = [];
    const messages: Message[] = [];
    client.on('state', (state, info) => states.push([state, info?.code]));
    client.on('message', (message) => messages.push(message));
    return { session, client, sockets, states, messages };
  }

  const until = async (condition: () => boolean, what: string, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('connects, subscribes, receives, sends with an ack, and resumes after a lost connection without loss', async () => {
    const alice = await signIn(api, DEMO.alice);
    const { client, sockets, states, messages } = await connectedClient(DEMO.linh);
    let subscribed = 0;
    client.on('subscribed', () => subscribed++);
    client.subscribe(BK_1001_THREAD);
    client.connect();
    await until(() => subscribed === 1, 'subscribed');
    for (let index = 1; index <= 3; index++)
      await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `c-${index}`);
    await until(() => messages.length === 3, 'three messages');
    const sent = await client.sendMessage(BK_1001_THREAD, 'from the client', 'client-1');
    expect(sent.seq).toBe(4);
    await until(() => messages.length === 4, 'its own message');

    // The network drops: no close frame. Messages keep coming meanwhile.
    sockets[0]!.terminate();
    await until(() => client.state === 'reconnecting', 'reconnecting');
    for (let index = 5; index <= 12; index++)
      await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `c-${index}`);
    await until(() => messages.length === 12 && client.state === 'connected', 'the resumed twelve');
    expect(messages.map((message) => message.seq)).toEqual(range(1, 12));
    expect(sockets).toHaveLength(2);
    expect(states.map(([state]) => state)).toEqual([
      'connecting',
      'connected',
      'reconnecting',
      'connected',
    ]);
    expect(client.lastSeq(BK_1001_THREAD)).toBe(12);
  });

  it('stops on 4401 after logout and does not reconnect', async () => {
    const { session, client, sockets, states } = await connectedClient(DEMO.alice);
    client.connect();
    await until(() => client.state === 'connected', 'connected');
    await session.http.post('/api/auth/logout');
    await until(() => client.state === 'closed', 'closed');
    expect(states.at(-1)).toEqual(['closed', 4401]);
    // No retry is scheduled (the unit suite checks this with fake timers); nothing was reopened.
    expect(states.map(([state]) => state)).not.toContain('reconnecting');
    expect(sockets).toHaveLength(1);
  });

  it('rejects a forbidden send with the error code', async () => {
    const { client } = await connectedClient(DEMO.somchai);
    client.connect();
    await until(() => client.state === 'connected', 'connected');
    await expect(client.sendMessage(BK_1001_THREAD, 'not mine')).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
