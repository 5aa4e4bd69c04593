import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { READ_RECEIPT_INTERVAL_MS } from '../src/modules/realtime/delivery/read-receipt-announcer';
import { type ApiInstance, startApi } from './support/api-instance';
import { ENGINES, useEngine } from './support/engines';
import { BK_1001_THREAD, BK_2001_THREAD, DEMO } from './support/http-client';
import { postMessage, signIn, subscribe } from './support/realtime';
import { type TestSocket } from './support/ws-client';

describe.each(ENGINES)('read receipts on the %s engine', (engineName) => {
  const engine = useEngine(engineName);
  let api: ApiInstance;
  const sockets: TestSocket[] = [];
  const as = async (email: string) => {
    const signedIn = await signIn(api, email);
    return {
      ...signedIn,
      socket: async () => {
        const socket = await signedIn.socket();
        sockets.push(socket);
        return socket;
      },
    };
  };

  beforeEach(async () => {
    await engine.reset();
    api = await startApi(engine.environment());
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await api.close();
  });

  it('tells the conversation’s subscribed sockets how far a participant read, over HTTP and WebSocket', async () => {
    const alice = await as(DEMO.alice);
    const linh = await as(DEMO.linh);
    const [aliceSocket, linhSocket] = await Promise.all([alice.socket(), linh.socket()]);
    await subscribe(aliceSocket, BK_1001_THREAD);
    await subscribe(linhSocket, BK_1001_THREAD);
    const first = await postMessage(alice.http, BK_1001_THREAD, 'are you there?', 'r-1');
    const seq = first.body.message.seq as number;

    await linh.http.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, { seq });
    const receipt = await aliceSocket.next('read.receipt');
    expect(receipt.data).toEqual({ conversationId: BK_1001_THREAD, userId: 'u_linh', seq });
    // The reader's own sockets hear it too (their other tabs); the client ignores its own.
    expect((await linhSocket.next('read.receipt')).data.userId).toBe('u_linh');

    // Alice reads over the socket: Linh learns it the same way.
    aliceSocket.send('read', { conversationId: BK_1001_THREAD, seq });
    expect(
      (await linhSocket.next('read.receipt', (f) => f.data.userId === 'u_alice')).data,
    ).toEqual({ conversationId: BK_1001_THREAD, userId: 'u_alice', seq });
  });

  it('reaches only sockets subscribed to the conversation, never one refused access', async () => {
    const linh = await as(DEMO.linh);
    const bob = await as(DEMO.bob);
    const somchai = await as(DEMO.somchai);
    const [linhSocket, bobSocket, somchaiSocket] = await Promise.all([
      linh.socket(),
      bob.socket(),
      somchai.socket(),
    ]);
    await subscribe(linhSocket, BK_1001_THREAD);
    await subscribe(bobSocket, BK_2001_THREAD);
    somchaiSocket.send('subscribe', { conversationId: BK_1001_THREAD }, 'sneak');
    expect((await somchaiSocket.waitForRef('sneak')).event).toBe('error');

    const alice = await as(DEMO.alice);
    const posted = await postMessage(alice.http, BK_1001_THREAD, 'hello', 'r-2');
    await alice.http.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, {
      seq: posted.body.message.seq,
    });
    await linhSocket.next('read.receipt');
    // A ping answered after the receipt went out shows nothing else is on its way.
    for (const socket of [bobSocket, somchaiSocket]) {
      socket.send('ping', {}, 'after');
      await socket.waitForRef('after');
      expect(socket.all('read.receipt')).toEqual([]);
    }
  });

  it('sends the first move at once and then at most one a second, with the latest seq', async () => {
    const alice = await as(DEMO.alice);
    const linh = await as(DEMO.linh);
    const aliceSocket = await alice.socket();
    await subscribe(aliceSocket, BK_1001_THREAD);
    const seqs: number[] = [];
    for (let index = 1; index <= 4; index += 1) {
      const posted = await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `t-${index}`);
      seqs.push(posted.body.message.seq);
    }
    const readPath = `/api/chat/conversations/${BK_1001_THREAD}/read`;
    const startedAt = Date.now();
    for (const seq of seqs) await linh.http.post(readPath, { seq });
    expect((await aliceSocket.next('read.receipt')).data.seq).toBe(seqs[0]);
    const latest = await aliceSocket.next('read.receipt', () => true, 5_000);
    expect(latest.data.seq).toBe(seqs[3]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(READ_RECEIPT_INTERVAL_MS - 50);
    // Nothing more: the moves in between were folded into the latest.
    aliceSocket.send('ping', {}, 'quiet');
    await aliceSocket.waitForRef('quiet');
    expect(aliceSocket.all('read.receipt').map((frame) => frame.data.seq)).toEqual([
      seqs[0],
      seqs[3],
    ]);
  });
});
