import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sessionKeyOf } from '../src/modules/auth/auth.service';
import { SessionRepository } from '../src/modules/auth/session.repository';
import { MessageRepository } from '../src/modules/chat/message.repository';
import { StoreAnnouncer } from '../src/modules/chat/store-announcer.port';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from './support/api-instance';
import { INTEGRATION_ENGINES, useEngine } from './support/engines';
import { expectEventually } from '@chat/test-support';
import { BK_1001_THREAD, BK_2001_THREAD, DEMO, HttpClient } from './support/http-client';
import { metric, postMessage, range, signIn, subscribe } from './support/realtime';
import { TestSocket, wsUrl } from './support/ws-client';

const ALLOWED_ORIGIN = 'http://localhost:3100';

describe.each(INTEGRATION_ENGINES)('realtime gateway on the %s engine', (engineName) => {
  const engine = useEngine(engineName);
  let api: ApiInstance;
  const sockets: TestSocket[] = [];
  const track = (socket: TestSocket) => {
    sockets.push(socket);
    return socket;
  };
  const start = async (environment: Record<string, string> = {}) => {
    await api?.close();
    api = await startApi({ ...engine.environment(), ...environment });
    return api;
  };
  const as = async (email: string) => {
    const signedIn = await signIn(api, email);
    return { ...signedIn, socket: async () => track(await signedIn.socket()) };
  };

  beforeEach(async () => {
    await engine.reset();
    api = await startApi(engine.environment());
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await api.close();
  });

  describe('handshake', () => {
    it('answers 401 without a valid session and never upgrades', async () => {
      expect(await TestSocket.refusal(api.baseUrl)).toBe(401);
      expect(await TestSocket.refusal(api.baseUrl, { cookie: 'sid=forged' })).toBe(401);
      expect(await TestSocket.refusal(api.baseUrl, { bearer: 'forged' })).toBe(401);
    });

    it('answers 403 to an Origin outside ALLOWED_ORIGINS, even with a valid session', async () => {
      const alice = await as(DEMO.alice);
      expect(
        await TestSocket.refusal(api.baseUrl, {
          cookie: alice.cookie,
          origin: 'https://evil.example',
        }),
      ).toBe(403);
      const allowed = track(
        await TestSocket.connect(api.baseUrl, { cookie: alice.cookie, origin: ALLOWED_ORIGIN }),
      );
      expect(allowed.isOpen).toBe(true);
    });

    it('accepts the cookie or a bearer session id, says ready first, and negotiates no deflate', async () => {
      const linh = await as(DEMO.linh);
      await postMessage(linh.http, BK_1001_THREAD, 'for alice', 'u-1');
      await linh.http.post(
        '/api/internal/notifications',
        { userId: 'u_alice', type: 'system', title: 'Hi' },
        {
          authorization: `Bearer ${INTERNAL_TOKEN}`,
        },
      );
      const alice = await as(DEMO.alice);
      const raw = new WebSocket(wsUrl(api.baseUrl), {
        headers: { authorization: `Bearer ${alice.cookie.slice('sid='.length)}` },
        perMessageDeflate: true,
      });
      const first = await new Promise<{ event: string; data: Record<string, unknown> }>(
        (resolve, reject) => {
          raw.once('message', (data) => resolve(JSON.parse(data.toString())));
          raw.once('error', reject);
        },
      );
      expect(raw.extensions).toBe('');
      raw.terminate();
      expect(first).toMatchObject({
        event: 'ready',
        data: { userId: 'u_alice', heartbeatMs: 25_000, unread: { notifications: 1, chat: 1 } },
      });
      expect(typeof first.data.connectionId).toBe('string');
    });

    it('caps the sockets of one user (429 past WS_MAX_SOCKETS_PER_USER)', async () => {
      await start({ WS_MAX_SOCKETS_PER_USER: '2' });
      const alice = await as(DEMO.alice);
      await alice.socket();
      await alice.socket();
      expect(await TestSocket.refusal(api.baseUrl, { cookie: alice.cookie })).toBe(429);
      const linh = await as(DEMO.linh);
      expect((await linh.socket()).isOpen).toBe(true);
    });
  });

  describe('frames from clients', () => {
    it('answers malformed JSON, unknown events, bad data and binary with error frames and stays open', async () => {
      const alice = await as(DEMO.alice);
      const socket = await alice.socket();
      socket.sendRaw('{"event": "subscribe", ');
      expect((await socket.next('error')).data).toMatchObject({
        code: 'bad_request',
        message: 'The frame is not valid JSON',
      });
      socket.send('shout', { loud: true }, 'r-unknown');
      expect(await socket.next('error')).toMatchObject({
        ref: 'r-unknown',
        data: { code: 'bad_request', ref: 'r-unknown' },
      });
      expect(socket.all('error')[1]!.data.message).toMatch(/Unknown event "shout"/);
      socket.send('subscribe', { conversationId: 42 }, 'r-bad');
      expect((await socket.next('error', (frame) => frame.ref === 'r-bad')).data.message).toMatch(
        /conversationId/,
      );
      socket.sendRaw('[]');
      socket.sendRaw('null');
      socket.sendRaw(Buffer.from([1, 2, 3]));
      await socket.until(() => socket.all('error').length === 6);
      socket.send('ping', {}, 'still-there');
      expect(await socket.next('pong')).toMatchObject({ ref: 'still-there', data: {} });
      expect(socket.isOpen).toBe(true);
    });

    it('closes with 1009 on a frame over 64 KiB', async () => {
      const alice = await as(DEMO.alice);
      const socket = await alice.socket();
      socket.send('ping', { padding: 'x'.repeat(60 * 1024) }, 'under-the-limit');
      expect((await socket.next('pong')).ref).toBe('under-the-limit');
      socket.sendRaw('x'.repeat(65 * 1024));
      expect((await socket.closed).code).toBe(1009);
    });

    it('answers a flood with rate_limited, then closes with 1008', async () => {
      const alice = await as(DEMO.alice);
      const socket = await alice.socket();
      for (let index = 0; index < 400; index++) socket.send('ping', {});
      expect((await socket.closed).code).toBe(1008);
      expect(socket.all('error').some((frame) => frame.data.code === 'rate_limited')).toBe(true);
      expect(socket.all('pong').length).toBeLessThan(400);
      expect(await metric(api, 'chat_ws_rate_limited_total')).toBeGreaterThan(0);
    });

    it('answers ping with pong', async () => {
      const socket = await (await as(DEMO.alice)).socket();
      socket.send('ping', {}, 'p1');
      expect(await socket.next('pong')).toEqual({ event: 'pong', data: {}, ref: 'p1' });
    });
  });

  describe('conversations', () => {
    it('refuses an out-of-scope subscribe with forbidden and joins nothing', async () => {
      const somchai = await as(DEMO.somchai);
      const socket = await somchai.socket();
      socket.send('subscribe', { conversationId: BK_1001_THREAD }, 's1');
      expect(await socket.next('error')).toMatchObject({ ref: 's1', data: { code: 'forbidden' } });
      socket.send('subscribe', { conversationId: 'th_nope' }, 's2');
      expect((await socket.next('error')).data.code).toBe('not_found');

      const linh = await as(DEMO.linh);
      const thread = await linh.http.get(`/api/chat/conversations/${BK_1001_THREAD}`);
      expect(thread.body.participants.map((user: { handle: string }) => user.handle)).toEqual([
        'alice',
        'linh',
      ]);
      const linhSocket = await linh.socket();
      await subscribe(linhSocket, BK_1001_THREAD);
      await postMessage(linh.http, BK_1001_THREAD, 'not for somchai', 'm-1');
      await linhSocket.next('message.new');
      socket.send('ping', {}, 'after');
      await socket.next('pong');
      expect(socket.all('message.new')).toEqual([]);
      expect(
        (await somchai.http.get('/api/chat/conversations?scope=all')).body.conversations.map(
          (item: { id: string }) => item.id,
        ),
      ).toEqual([BK_2001_THREAD]);
    });

    it('auto-joins in-scope staff on subscribe', async () => {
      const vu = await as(DEMO.vu);
      const socket = await vu.socket();
      expect((await subscribe(socket, BK_1001_THREAD)).data).toEqual({
        conversationId: BK_1001_THREAD,
        recovered: true,
        lastSeq: 0,
      });
      const thread = await vu.http.get(`/api/chat/conversations/${BK_1001_THREAD}/header`);
      expect(thread.body.participants.map((user: { handle: string }) => user.handle)).toEqual([
        'alice',
        'linh',
        'vu',
      ]);
    });

    it('delivers HTTP and WebSocket messages to subscribers, acks message.send, and stops after unsubscribe', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const aliceSocket = await alice.socket();
      const linhSocket = await linh.socket();
      await subscribe(aliceSocket, BK_1001_THREAD);
      await subscribe(linhSocket, BK_1001_THREAD);

      await postMessage(alice.http, BK_1001_THREAD, 'over http', 'h-1');
      expect((await linhSocket.next('message.new')).data.message).toMatchObject({
        seq: 1,
        body: 'over http',
      });

      linhSocket.send(
        'message.send',
        { conversationId: BK_1001_THREAD, body: 'over ws', clientMessageId: 'w-1' },
        'send-1',
      );
      const ack = await linhSocket.next('message.ack');
      expect(ack).toMatchObject({
        ref: 'send-1',
        data: { clientMessageId: 'w-1', message: { seq: 2, body: 'over ws' } },
      });
      expect(
        (await aliceSocket.next('message.new', (frame) => frame.data.message.seq === 2)).data
          .message.author.handle,
      ).toBe('linh');
      linhSocket.send(
        'message.send',
        { conversationId: BK_1001_THREAD, body: 'over ws', clientMessageId: 'w-1' },
        'send-2',
      );
      expect(
        (await linhSocket.next('message.ack', (frame) => frame.ref === 'send-2')).data.message.seq,
      ).toBe(2);

      linhSocket.send('unsubscribe', { conversationId: BK_1001_THREAD }, 'u');
      expect(await linhSocket.next('unsubscribed')).toMatchObject({
        ref: 'u',
        data: { conversationId: BK_1001_THREAD },
      });
      await postMessage(alice.http, BK_1001_THREAD, 'after unsubscribe', 'h-3');
      await aliceSocket.next('message.new', (frame) => frame.data.message.seq === 3);
      linhSocket.send('ping', {}, 'sync');
      await linhSocket.next('pong');
      expect(linhSocket.seqs(BK_1001_THREAD)).toEqual([1, 2]);
      expect(aliceSocket.seqs(BK_1001_THREAD)).toEqual([1, 2, 3]);
    });

    it('resumes with since: exactly the missed 20 in order, then subscribed, then live', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const first = await linh.socket();
      await subscribe(first, BK_1001_THREAD);
      for (let index = 1; index <= 5; index++)
        await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `a-${index}`);
      await first.until(() => first.seqs(BK_1001_THREAD).length === 5);
      const lastSeen = first.seqs(BK_1001_THREAD).at(-1)!;
      first.terminate();

      for (let index = 6; index <= 25; index++)
        await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `a-${index}`);
      const resumed = await linh.socket();
      const subscribed = await subscribe(resumed, BK_1001_THREAD, lastSeen);
      expect(subscribed.data).toEqual({
        conversationId: BK_1001_THREAD,
        recovered: true,
        lastSeq: 25,
      });
      expect(resumed.seqs(BK_1001_THREAD)).toEqual(range(6, 25));
      await postMessage(alice.http, BK_1001_THREAD, 'live', 'a-26');
      await resumed.until(() => resumed.seqs(BK_1001_THREAD).length === 21);
      expect(resumed.seqs(BK_1001_THREAD)).toEqual(range(6, 26));
      const events = resumed.frames
        .map((frame) => frame.event)
        .filter((event) => event === 'message.new' || event === 'subscribed');
      expect(events.indexOf('subscribed')).toBe(20);
    });

    it('replays with no gap and no duplicate while messages keep arriving', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      for (let index = 1; index <= 40; index++)
        await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `b-${index}`);
      const socket = await linh.socket();
      const writing = Promise.all(
        range(41, 100).map((index) =>
          postMessage(alice.http, BK_1001_THREAD, `m${index}`, `b-${index}`),
        ),
      );
      await subscribe(socket, BK_1001_THREAD, 10);
      await writing;
      await socket.until(() => socket.seqs(BK_1001_THREAD).at(-1) === 100, 10_000, 'seq 100');
      expect(socket.seqs(BK_1001_THREAD)).toEqual(range(11, 100));
    });

    it('fills a gap before a live message from the log, with one read for every socket of the room', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const sockets = [await alice.socket(), await alice.socket(), await linh.socket()];
      for (const socket of sockets) await subscribe(socket, BK_1001_THREAD);
      // seq 1 reaches the log without an event, as if its replica's publish were still on the way:
      // its announcement goes to a room nobody is in.
      const messages = api.app.get(MessageRepository);
      const announcer = api.app.get(StoreAnnouncer);
      const template = announcer.message.bind(announcer);
      announcer.message = (conversationId) => ({ ...template(conversationId), room: 'nowhere' });
      await messages.append(
        {
          id: 'm-unannounced',
          conversationId: BK_1001_THREAD,
          author: { id: alice.user.id, name: 'Alice', handle: alice.user.handle, role: 'customer' },
          body: 'published late',
          mentions: [],
          createdAt: new Date().toISOString(),
        },
        'late-1',
      );
      announcer.message = template;
      const reads: Array<[number, number]> = [];
      const read = messages.range.bind(messages);
      messages.range = (conversationId, fromSeq, toSeq) => {
        reads.push([fromSeq, toSeq]);
        return read(conversationId, fromSeq, toSeq);
      };
      await postMessage(alice.http, BK_1001_THREAD, 'live', 'live-2');
      for (const socket of sockets) {
        await socket.until(() => socket.seqs(BK_1001_THREAD).length === 2, 5_000, 'seq 2');
        expect(socket.seqs(BK_1001_THREAD)).toEqual([1, 2]);
      }
      expect(reads).toEqual([[1, 1]]);
    });

    it('answers recovered:false past the user’s replay budget, so the client pages over HTTP instead', async () => {
      await start({ WS_REPLAY_BUDGET_PER_USER: '5' });
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      for (let index = 1; index <= 3; index++)
        await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `budget-${index}`);
      const sockets = [await linh.socket(), await linh.socket(), await linh.socket()];
      const answers = [];
      for (const socket of sockets) answers.push((await subscribe(socket, BK_1001_THREAD, 0)).data);
      // 3 messages replayed, then 3 more would pass the budget of 5.
      expect(answers.map((answer) => answer.recovered)).toEqual([true, false, false]);
      expect(sockets[0]!.seqs(BK_1001_THREAD)).toEqual([1, 2, 3]);
      expect(sockets[1]!.seqs(BK_1001_THREAD)).toEqual([]);
      // Nothing to replay costs nothing.
      expect((await subscribe(await linh.socket(), BK_1001_THREAD, 3)).data.recovered).toBe(true);
    });

    it('answers recovered:false when the gap is over the replay limit, then goes on live', async () => {
      await start({ WS_REPLAY_LIMIT: '10' });
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      for (let index = 1; index <= 11; index++)
        await postMessage(alice.http, BK_1001_THREAD, `m${index}`, `c-${index}`);
      const socket = await linh.socket();
      expect((await subscribe(socket, BK_1001_THREAD, 0)).data).toEqual({
        conversationId: BK_1001_THREAD,
        recovered: false,
        lastSeq: 11,
      });
      expect((await subscribe(socket, BK_1001_THREAD, 1)).data).toMatchObject({
        recovered: true,
        lastSeq: 11,
      });
      expect(socket.seqs(BK_1001_THREAD)).toEqual(range(2, 11));
      await postMessage(alice.http, BK_1001_THREAD, 'live', 'c-12');
      await socket.until(() => socket.seqs(BK_1001_THREAD).includes(12));
      expect(socket.seqs(BK_1001_THREAD)).toEqual(range(2, 12));
    });
  });

  describe('typing, unread and notifications', () => {
    /** The socket's next `unread` frame for BK-1001 with this count says exactly that. */
    const expectUnreadNext = async (socket: TestSocket, count: number) => {
      expect((await socket.next('unread', (frame) => frame.data.count === count)).data).toEqual({
        conversationId: BK_1001_THREAD,
        count,
        total: count,
      });
    };

    it('relays typing to the other members only, at most once per 2 s', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const aliceSocket = await alice.socket();
      const aliceOtherTab = await alice.socket();
      const linhSocket = await linh.socket();
      for (const socket of [aliceSocket, aliceOtherTab, linhSocket])
        await subscribe(socket, BK_1001_THREAD);
      aliceSocket.send('typing', { conversationId: BK_1001_THREAD });
      expect((await linhSocket.next('typing')).data).toEqual({
        conversationId: BK_1001_THREAD,
        userId: 'u_alice',
        expiresInMs: 6_000,
      });
      aliceSocket.send('typing', { conversationId: BK_1001_THREAD });
      aliceOtherTab.send('typing', { conversationId: BK_1001_THREAD });
      aliceSocket.send('ping', {}, 'after-typing');
      aliceOtherTab.send('ping', {}, 'after-typing');
      await aliceSocket.next('pong');
      await aliceOtherTab.next('pong');
      await postMessage(alice.http, BK_1001_THREAD, 'marker', 't-1');
      await linhSocket.next('message.new');
      await aliceOtherTab.next('message.new');
      expect(linhSocket.all('typing')).toHaveLength(1);
      expect(aliceSocket.all('typing')).toEqual([]);
      expect(aliceOtherTab.all('typing')).toEqual([]);

      const somchai = await as(DEMO.somchai);
      const somchaiSocket = await somchai.socket();
      somchaiSocket.send('typing', { conversationId: BK_1001_THREAD }, 'ty');
      expect((await somchaiSocket.next('error')).data.code).toBe('forbidden');
    });

    it('sends unread updates to every socket of the user after a message and after a read', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const linhSockets = [await linh.socket(), await linh.socket()];
      await postMessage(alice.http, BK_1001_THREAD, 'one', 'r-1');
      await postMessage(alice.http, BK_1001_THREAD, 'two', 'r-2');
      for (const socket of linhSockets) {
        await socket.next('unread', (frame) => frame.data.count === 2);
        expect(socket.all('unread').at(-1)!.data).toMatchObject({
          conversationId: BK_1001_THREAD,
          count: 2,
          total: 2,
          lastMessage: { seq: 2, body: 'two' },
        });
      }
      linhSockets[0]!.send('read', { conversationId: BK_1001_THREAD, seq: 2 });
      for (const socket of linhSockets) {
        await expectUnreadNext(socket, 0);
      }
    });

    it('sends the counts to every socket of the user, subscribed to the conversation or not (the server owns them)', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const inThread = await linh.socket();
      const elsewhere = await linh.socket();
      const aliceSocket = await alice.socket();
      await subscribe(inThread, BK_1001_THREAD);
      await postMessage(alice.http, BK_1001_THREAD, 'one', 's-1');
      for (const socket of [inThread, elsewhere]) {
        expect((await socket.next('unread')).data).toMatchObject({
          conversationId: BK_1001_THREAD,
          count: 1,
          total: 1,
          lastMessage: { seq: 1, body: 'one' },
        });
      }
      await inThread.next('message.new');
      // The author's inbox moved too; her own message counts for nothing.
      expect((await aliceSocket.next('unread')).data).toMatchObject({
        count: 0,
        total: 0,
        lastMessage: { seq: 1 },
      });

      inThread.send('read', { conversationId: BK_1001_THREAD, seq: 1 });
      for (const socket of [inThread, elsewhere]) {
        await expectUnreadNext(socket, 0);
      }
    });

    it('tells a busy user the first unread change at once, then the latest counts at most once a second', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const linhSocket = await linh.socket();
      await postMessage(alice.http, BK_1001_THREAD, 'burst 0', 'burst-0');
      await linhSocket.next('unread', (frame) => frame.data.count === 1);
      const burstStartedAt = Date.now();
      for (let index = 1; index < 10; index++) {
        await postMessage(alice.http, BK_1001_THREAD, `burst ${index}`, `burst-${index}`);
      }
      const burstMs = Date.now() - burstStartedAt;
      await linhSocket.next('unread', (frame) => frame.data.count === 10);
      // The badge caught up in one or two frames, not one per message.
      expect(linhSocket.all('unread').at(-1)!.data).toMatchObject({
        conversationId: BK_1001_THREAD,
        count: 10,
        total: 10,
        lastMessage: { body: 'burst 9' },
      });
      expect(linhSocket.all('unread').length).toBeLessThanOrEqual(2 + Math.floor(burstMs / 1_000));
    });

    it('delivers notification.new and notification.unread to every socket of the user', async () => {
      const linh = await as(DEMO.linh);
      const sockets = [await linh.socket(), await linh.socket()];
      const alice = await as(DEMO.alice);
      const aliceSocket = await alice.socket();
      const created = await new HttpClient(api.baseUrl).post(
        '/api/internal/notifications',
        {
          userId: 'u_linh',
          type: 'booking.updated',
          title: 'BK-1001 changed',
          link: '/bookings/bk_1001',
        },
        { authorization: `Bearer ${INTERNAL_TOKEN}` },
      );
      for (const socket of sockets) {
        expect((await socket.next('notification.new')).data).toEqual({
          notification: created.body.notification,
          unreadCount: 1,
        });
      }
      await linh.http.post('/api/notifications/read-all');
      for (const socket of sockets)
        expect((await socket.next('notification.unread')).data).toEqual({ count: 0 });
      aliceSocket.send('ping', {}, 'sync');
      await aliceSocket.next('pong');
      expect(aliceSocket.all('notification.new')).toEqual([]);
    });
  });

  describe('presence', () => {
    it('reports online while any socket is open and tells the conversation rooms', async () => {
      const linh = await as(DEMO.linh);
      const watcher = await linh.socket();
      await subscribe(watcher, BK_1001_THREAD);
      const presencePath = `/api/chat/conversations/${BK_1001_THREAD}/presence`;
      expect((await linh.http.get(presencePath)).body).toEqual({
        members: [
          { userId: 'u_alice', online: false },
          { userId: 'u_linh', online: true },
        ],
      });
      const alice = await as(DEMO.alice);
      const tab1 = await alice.socket();
      const tab2 = await alice.socket();
      expect((await watcher.next('presence')).data).toEqual({
        conversationId: BK_1001_THREAD,
        userId: 'u_alice',
        online: true,
      });
      expect((await linh.http.get(presencePath)).body.members[0]).toEqual({
        userId: 'u_alice',
        online: true,
      });
      await tab1.close();
      expect((await linh.http.get(presencePath)).body.members[0]).toEqual({
        userId: 'u_alice',
        online: true,
      });
      await tab2.close();
      expect((await watcher.next('presence')).data).toEqual({
        conversationId: BK_1001_THREAD,
        userId: 'u_alice',
        online: false,
      });
      expect((await linh.http.get(presencePath)).body.members[0]).toEqual({
        userId: 'u_alice',
        online: false,
      });
      expect(watcher.all('presence')).toHaveLength(2);

      const somchai = await as(DEMO.somchai);
      expect((await somchai.http.get(presencePath)).status).toBe(403);
    });
  });

  describe('connection lifetime', () => {
    it('closes the sockets of a session with 4401 on logout, and only those', async () => {
      const alice = await as(DEMO.alice);
      const otherSession = await as(DEMO.alice);
      const loggedOut = [await alice.socket(), await alice.socket()];
      const kept = await otherSession.socket();
      const startedAt = Date.now();
      expect((await alice.http.post('/api/auth/logout')).status).toBe(204);
      for (const socket of loggedOut) expect((await socket.closed).code).toBe(4401);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      kept.send('ping', {}, 'still');
      await kept.next('pong');
      expect(await TestSocket.refusal(api.baseUrl, { cookie: alice.cookie })).toBe(401);
    });

    it('closes with 4401 within a heartbeat when a session ends without a logout (expiry)', async () => {
      await start({ WS_HEARTBEAT_MS: '150', PRESENCE_TTL_SECONDS: '2' });
      const alice = await as(DEMO.alice);
      const socket = await alice.socket();
      // What TTL expiry does in the store: the session is gone, and no event says so.
      await api.app
        .get(SessionRepository)
        .revoke(sessionKeyOf(alice.cookie.slice('sid='.length)), alice.user.id);
      expect((await socket.closed).code).toBe(4401);
    });

    it('terminates a socket that misses two pongs and keeps the one that answers', async () => {
      await start({ WS_HEARTBEAT_MS: '150', PRESENCE_TTL_SECONDS: '2' });
      const alice = await as(DEMO.alice);
      const healthy = await alice.socket();
      const mute = new WebSocket(wsUrl(api.baseUrl), {
        headers: { cookie: alice.cookie },
        autoPong: false,
      });
      const muteClosed = new Promise<number>((resolve) =>
        mute.once('close', (code) => resolve(code)),
      );
      let pings = 0;
      mute.on('ping', () => pings++);
      expect(await muteClosed).toBe(1006);
      expect(pings).toBeGreaterThanOrEqual(2);
      expect(healthy.isOpen).toBe(true);
    });

    it('counts closes by code, and every code a client picks itself as one label', async () => {
      const alice = await as(DEMO.alice);
      for (const code of [4999, 3123, 1000]) await (await alice.socket()).close(code);
      const closed = (label: string) => metric(api, `chat_ws_closed_total{code="${label}"}`);
      await expectEventually(async () => expect(await closed('other')).toBe(2));
      expect(await closed('1000')).toBe(1);
      expect(await closed('4999')).toBe(0);
    });

    it('closes a slow consumer with 1013 instead of buffering without bound', async () => {
      await start({ WS_SEND_BUFFER_LIMIT_BYTES: '65536' });
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const body = '😀'.repeat(1_999);
      await Promise.all(
        range(1, 100).map((index) => postMessage(alice.http, BK_1001_THREAD, body, `s-${index}`)),
      );
      const slow = await linh.socket();
      const transport = (slow.socket as unknown as { _socket: import('node:net').Socket })._socket;
      transport.pause();
      // Each replay pushes the 100 messages (about 800 KB) again, to a client that reads nothing.
      for (let replay = 0; replay < 60; replay++)
        slow.send('subscribe', { conversationId: BK_1001_THREAD, since: 0 });
      await expectEventually(
        async () => expect(await metric(api, 'chat_ws_slow_consumers_total')).toBe(1),
        {
          timeoutMs: 10_000,
        },
      );
      transport.resume();
      expect((await slow.closed).code).toBe(1013);
    });

    it('closes open sockets with 1012 when the application shuts down', async () => {
      const alice = await as(DEMO.alice);
      const socket = await alice.socket();
      await api.close();
      expect((await socket.closed).code).toBe(1012);
      api = await startApi(engine.environment());
    });
  });

  describe('metrics', () => {
    it('exposes sockets, frames, fanout latency and handshake refusals in Prometheus format', async () => {
      const alice = await as(DEMO.alice);
      const socket = await alice.socket();
      await subscribe(socket, BK_1001_THREAD);
      await postMessage(alice.http, BK_1001_THREAD, 'measure me', 'metrics-1');
      await socket.next('message.new');
      await TestSocket.refusal(api.baseUrl);
      await expectEventually(async () => {
        expect(await metric(api, 'chat_ws_open_sockets')).toBe(1);
        expect(await metric(api, 'chat_ws_frames_received_total{event="subscribe"}')).toBe(1);
        expect(await metric(api, 'chat_ws_frames_sent_total{event="message.new"}')).toBe(1);
        expect(await metric(api, 'chat_realtime_fanout_latency_seconds_count')).toBeGreaterThan(0);
        expect(await metric(api, 'chat_ws_handshakes_rejected_total{status="401"}')).toBe(1);
      });
      // Counts are added up when read: reading again adds nothing, a new frame adds one.
      expect(await metric(api, 'chat_ws_frames_sent_total{event="message.new"}')).toBe(1);
      await postMessage(alice.http, BK_1001_THREAD, 'and me', 'metrics-2');
      await socket.next('message.new', (frame) => frame.data.message.seq === 2);
      expect(await metric(api, 'chat_ws_frames_sent_total{event="message.new"}')).toBe(2);
      const response = await fetch(api.metricsUrl);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toMatch(/# TYPE chat_redis_errors_total counter/);
      expect(text).toMatch(/# TYPE chat_ws_rate_limited_total counter/);
      // Only on the metrics listener: the API's own port has no metrics route.
      expect((await new HttpClient(api.baseUrl).get('/api/metrics')).status).toBe(404);
    });
  });
});
