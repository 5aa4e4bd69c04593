import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from './support/api-instance';
import { expectEventually } from '@chat/test-support';
import { BK_1001_THREAD, DEMO, HttpClient } from './support/http-client';
import { metric, postMessage, range, signIn, subscribe } from './support/realtime';
import { RedisServer } from './support/redis-server';
import { type TestSocket } from './support/ws-client';

/** Two API instances sharing one redis-server: what replicas must guarantee. */
describe('realtime across two instances sharing Redis', () => {
  let redis: RedisServer;
  let a: ApiInstance;
  let b: ApiInstance;
  const sockets: TestSocket[] = [];
  const socketOn = async (api: ApiInstance, session: Awaited<ReturnType<typeof signIn>>) => {
    const socket = await session.socket();
    sockets.push(socket);
    return socket;
  };
  const environment = () => ({ REDIS_URL: redis.url, DEMO_SEED: 'true' });

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.dispose();
  });
  beforeEach(async () => {
    const client = redis.client();
    await client.flushall();
    client.disconnect();
    a = await startApi(environment());
    b = await startApi(environment());
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await Promise.all([a.close(), b.close()]);
  });

  it('delivers a message posted over HTTP on B to a socket on A within 1 s', async () => {
    const linhOnA = await signIn(a, DEMO.linh);
    const aliceOnB = await signIn(b, DEMO.alice);
    const socket = await socketOn(a, linhOnA);
    await subscribe(socket, BK_1001_THREAD);
    const postedAt = Date.now();
    const posted = await postMessage(aliceOnB.http, BK_1001_THREAD, 'from B', 'x-1');
    const received = await socket.next('message.new', () => true, 1_000);
    const latency = Date.now() - postedAt;
    console.log(`posted on B, received on A ${latency} ms after the POST started`);
    expect(latency).toBeLessThan(1_000);
    expect(received.data.message).toEqual(posted.body.message);
  });

  it('closes every socket of a user with 4401 on both replicas when all their sessions end', async () => {
    const vuOnA = await signIn(a, DEMO.vu);
    const vuOnB = await signIn(b, DEMO.vu);
    const linhOnA = await signIn(a, DEMO.linh);
    const [first, second, third] = [
      await socketOn(a, vuOnA),
      await socketOn(b, vuOnB),
      await socketOn(b, vuOnA),
    ];
    const bystander = await socketOn(a, linhOnA);
    const startedAt = Date.now();
    const ended = await new HttpClient(b.baseUrl).request(
      'DELETE',
      '/api/internal/users/u_vu/sessions',
      undefined,
      { authorization: `Bearer ${INTERNAL_TOKEN}` },
    );
    expect(ended).toMatchObject({ status: 200, body: { ended: 2 } });
    for (const socket of [first, second, third]) expect((await socket.closed).code).toBe(4401);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    bystander.send('ping', {}, 'still-here');
    await bystander.next('pong');
    expect((await vuOnA.http.get('/api/auth/me')).status).toBe(401);
  });

  it('delivers a notification created on B to the user sockets on A and on B', async () => {
    const linhOnA = await signIn(a, DEMO.linh);
    const linhOnB = await signIn(b, DEMO.linh);
    const onA = await socketOn(a, linhOnA);
    const onB = await socketOn(b, linhOnB);
    const created = await new HttpClient(b.baseUrl).post(
      '/api/internal/notifications',
      { userId: 'u_linh', type: 'booking.updated', title: 'Changed' },
      { authorization: `Bearer ${INTERNAL_TOKEN}` },
    );
    expect(created.status).toBe(201);
    for (const socket of [onA, onB]) {
      expect((await socket.next('notification.new', () => true, 1_000)).data).toEqual({
        notification: created.body.notification,
        unreadCount: 1,
      });
    }
  });

  it('tells the sockets on A of a message posted on B by their new unread counts', async () => {
    const linhOnA = await signIn(a, DEMO.linh);
    const aliceOnB = await signIn(b, DEMO.alice);
    const socket = await socketOn(a, linhOnA);
    await postMessage(aliceOnB.http, BK_1001_THREAD, 'from B', 'u-1');
    expect((await socket.next('unread', () => true, 1_000)).data).toMatchObject({
      conversationId: BK_1001_THREAD,
      count: 1,
      total: 1,
      lastMessage: { body: 'from B' },
    });
  });

  it('sends a message and the unread counts it changes to no replica without a socket of its members', async () => {
    const c = await startApi(environment());
    try {
      const linhOnA = await signIn(a, DEMO.linh);
      const aliceOnB = await signIn(b, DEMO.alice);
      const graceOnC = await signIn(c, DEMO.grace);
      const linhSocket = await socketOn(a, linhOnA);
      await subscribe(linhSocket, BK_1001_THREAD);
      await socketOn(b, aliceOnB);
      const graceSocket = await socketOn(c, graceOnC);
      const received = async (api: ApiInstance) =>
        metric(api, 'chat_realtime_payloads_received_total');
      const [onA, onC] = [await received(a), await received(c)];
      await postMessage(aliceOnB.http, BK_1001_THREAD, 'members only', 'route-1');
      await linhSocket.next('message.new');
      await linhSocket.next('unread', (frame) => frame.data.lastMessage?.body === 'members only');
      // A replica in no room of the message is sent nothing: let a frame to it pass, then look.
      await new HttpClient(b.baseUrl).post(
        '/api/internal/notifications',
        { userId: 'u_grace', type: 'ping', title: 'after the message' },
        { authorization: `Bearer ${INTERNAL_TOKEN}` },
      );
      await graceSocket.next('notification.new');
      expect((await received(a)) - onA).toBeGreaterThanOrEqual(2);
      expect((await received(c)) - onC).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('subscribes each replica only to the rooms it has local members in', async () => {
    const probe = redis.client();
    // Rooms are sharded channels (SSUBSCRIBE), counted apart from classic pub/sub.
    const channels = async () => (await probe.pubsub('SHARDCHANNELS', 'chat:room:*')).sort();
    const numsub = async (channel: string) => {
      const [, count] = (await probe.pubsub('SHARDNUMSUB', channel)) as [string, number];
      return Number(count);
    };
    try {
      const conversationChannel = `chat:room:{conversation:${BK_1001_THREAD}}`;
      // No room that every replica is in: a replica hears only its members' rooms.
      expect(await channels()).toEqual([]);
      const linhOnA = await signIn(a, DEMO.linh);
      const socketA = await socketOn(a, linhOnA);
      expect(await channels()).toEqual(['chat:room:{user:u_linh}']);
      await subscribe(socketA, BK_1001_THREAD);
      expect(await numsub(conversationChannel)).toBe(1);
      // Following a conversation follows its other participants' presence.
      await expectEventually(async () =>
        expect(await numsub('chat:room:{presence:u_alice}')).toBe(1),
      );
      const aliceOnB = await signIn(b, DEMO.alice);
      const socketB = await socketOn(b, aliceOnB);
      await subscribe(socketB, BK_1001_THREAD);
      expect(await numsub(conversationChannel)).toBe(2);
      const secondOnA = await socketOn(a, linhOnA);
      await subscribe(secondOnA, BK_1001_THREAD);
      expect(await numsub(conversationChannel)).toBe(2);
      await socketA.close();
      await secondOnA.close();
      await expectEventually(async () => expect(await numsub(conversationChannel)).toBe(1));
      await expectEventually(async () =>
        expect(await channels()).toEqual([
          'chat:room:{conversation:th_bk_1001}',
          'chat:room:{presence:u_linh}',
          'chat:room:{user:u_alice}',
        ]),
      );
    } finally {
      probe.disconnect();
    }
  });

  it('keeps seq order for 5 subscribers on 2 instances while 3 writers post 300 messages on both', async () => {
    const [aliceOnA, aliceOnB, linhOnA, linhOnB, graceOnB] = await Promise.all([
      signIn(a, DEMO.alice),
      signIn(b, DEMO.alice),
      signIn(a, DEMO.linh),
      signIn(b, DEMO.linh),
      signIn(b, DEMO.grace),
    ]);
    const subscribers = [
      await socketOn(a, aliceOnA),
      await socketOn(b, aliceOnB),
      await socketOn(a, linhOnA),
      await socketOn(b, linhOnB),
      await socketOn(b, graceOnB),
    ];
    for (const socket of subscribers) await subscribe(socket, BK_1001_THREAD);
    const writerSessions = await Promise.all([
      Promise.all([signIn(a, DEMO.alice), signIn(b, DEMO.alice)]),
      Promise.all([signIn(a, DEMO.linh), signIn(b, DEMO.linh)]),
      Promise.all([signIn(a, DEMO.vu), signIn(b, DEMO.vu)]),
    ]);
    const startedAt = Date.now();
    await Promise.all(
      writerSessions.map(async ([onA, onB], writer) => {
        // Each writer keeps 4 posts in flight, alternating instances.
        const queue = range(1, 100);
        await Promise.all(
          range(1, 4).map(async () => {
            for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
              const session = next % 2 ? onA : onB;
              const response = await postMessage(
                session.http,
                BK_1001_THREAD,
                `w${writer} #${next}`,
                `w${writer}-${next}`,
              );
              expect(response.status).toBe(201);
            }
          }),
        );
      }),
    );
    const postedIn = Date.now() - startedAt;
    for (const socket of subscribers) {
      await socket.until(() => socket.seqs(BK_1001_THREAD).length >= 300, 10_000, '300 messages');
    }
    const deliveredIn = Date.now() - startedAt;
    for (const socket of subscribers) expect(socket.seqs(BK_1001_THREAD)).toEqual(range(1, 300));
    console.log(
      `300 messages from 3 writers on 2 instances: posted in ${postedIn} ms, all 5 subscribers complete in ${deliveredIn} ms`,
    );
  });

  it('closes a socket on A with 4401 within 5 s when its session logs out on B', async () => {
    const aliceOnA = await signIn(a, DEMO.alice);
    const socket = await socketOn(a, aliceOnA);
    const sameSessionOnB = new HttpClient(b.baseUrl);
    sameSessionOnB.sessionCookie = aliceOnA.cookie;
    const startedAt = Date.now();
    expect((await sameSessionOnB.post('/api/auth/logout')).status).toBe(204);
    expect((await socket.closed).code).toBe(4401);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('shares presence and typing between instances', async () => {
    const linhOnA = await signIn(a, DEMO.linh);
    const aliceOnB = await signIn(b, DEMO.alice);
    const watcher = await socketOn(a, linhOnA);
    await subscribe(watcher, BK_1001_THREAD);
    const alice = await socketOn(b, aliceOnB);
    expect((await watcher.next('presence')).data).toEqual({
      conversationId: BK_1001_THREAD,
      userId: 'u_alice',
      online: true,
    });
    const presence = await linhOnA.http.get(`/api/chat/conversations/${BK_1001_THREAD}/presence`);
    expect(presence.body.members).toEqual([
      { userId: 'u_alice', online: true },
      { userId: 'u_linh', online: true },
    ]);
    await subscribe(alice, BK_1001_THREAD);
    alice.send('typing', { conversationId: BK_1001_THREAD });
    expect((await watcher.next('typing')).data.userId).toBe('u_alice');
    await alice.close();
    expect((await watcher.next('presence')).data.online).toBe(false);
  });

  it('resubscribes after Redis restarts and delivers again', async () => {
    const linhOnA = await signIn(a, DEMO.linh);
    const aliceOnB = await signIn(b, DEMO.alice);
    const socket = await socketOn(a, linhOnA);
    await subscribe(socket, BK_1001_THREAD);
    await postMessage(aliceOnB.http, BK_1001_THREAD, 'before', 'r-1');
    await socket.next('message.new');
    await redis.stop();
    // While Redis is down every reconnect attempt fails; both connections count their errors.
    await expectEventually(async () => {
      expect(await metric(a, 'chat_redis_errors_total{connection="command"}')).toBeGreaterThan(0);
      expect(await metric(a, 'chat_redis_errors_total{connection="subscriber"}')).toBeGreaterThan(
        0,
      );
    });
    await redis.start();
    await expectEventually(
      async () => {
        const response = await postMessage(aliceOnB.http, BK_1001_THREAD, 'after', 'r-2');
        expect(response.status).toBeLessThan(300);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    await socket.until(
      () => socket.seqs(BK_1001_THREAD).includes(2),
      10_000,
      'seq 2 after the restart',
    );
    expect(socket.seqs(BK_1001_THREAD)).toEqual([1, 2]);
  });
});
