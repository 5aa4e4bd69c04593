import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ClientEvent, CLIENT_EVENTS } from '@chat/protocol';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from '../support/api-instance';
import { expectEventually } from '@chat/test-support';
import { BK_1001_THREAD, BK_2001_THREAD, DEMO, HttpClient } from '../support/http-client';
import { postMessage, signIn, subscribe } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { type TestSocket } from '../support/ws-client';
import { record } from './support/results';

const internal = { authorization: `Bearer ${INTERNAL_TOKEN}` };
const SECRET = 'the-quote-is-4200-usd';

/**
 * Who may not open th_bk_1001 (VN: alice and linh): bob (TH customer), somchai (TH staff).
 * For each client event and each chat route they get forbidden/403, and from none of it, nor
 * from what the insiders do meanwhile, do they learn anything about the thread.
 */
describe('authorization per action', () => {
  let redis: RedisServer;
  let api: ApiInstance;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  beforeEach(async () => {
    const client = redis.client();
    await client.flushall();
    client.disconnect();
    api = await startApi({ REDIS_URL: redis.url, DEMO_SEED: 'true' });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await api.close();
  });

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

  /**
   * Everything an outsider's socket received that mentions the thread or its people, except the
   * answers to their own frames (which echo the id they sent, and nothing else: checked above).
   */
  const leaksIn = (socket: TestSocket) =>
    socket.frames
      .filter((frame) => frame.ref === undefined)
      .map((frame) => JSON.stringify(frame))
      .filter((text) => /th_bk_1001|u_alice|u_linh|u_vu|BK-1001|4200/.test(text));

  it('answers every client event on a thread out of scope with forbidden, and leaks nothing', async () => {
    const [alice, linh] = [await as(DEMO.alice), await as(DEMO.linh)];
    const insiders = [await alice.socket(), await linh.socket()];
    for (const socket of insiders) await subscribe(socket, BK_1001_THREAD);
    await postMessage(alice.http, BK_1001_THREAD, `before: ${SECRET}`, 'in-1');
    for (const socket of insiders) await socket.next('message.new');
    const participantsBefore = (await linh.http.get(`/api/chat/conversations/${BK_1001_THREAD}`))
      .body.participants;

    const outsiders = [await as(DEMO.bob), await as(DEMO.somchai)];
    const cases: Record<ClientEvent, { data: Record<string, unknown>; expect: string }> = {
      subscribe: { data: { conversationId: BK_1001_THREAD }, expect: 'forbidden' },
      unsubscribe: { data: { conversationId: BK_1001_THREAD }, expect: 'unsubscribed' },
      'message.send': {
        data: {
          conversationId: BK_1001_THREAD,
          body: `@alice @linh ${SECRET}`,
          clientMessageId: 'x-1',
        },
        expect: 'forbidden',
      },
      typing: { data: { conversationId: BK_1001_THREAD }, expect: 'forbidden' },
      read: { data: { conversationId: BK_1001_THREAD, seq: 1 }, expect: 'forbidden' },
      ping: { data: {}, expect: 'pong' },
    };
    expect(Object.keys(cases).sort()).toEqual([...CLIENT_EVENTS].sort());
    const answers: string[] = [];
    const outsiderSockets: TestSocket[] = [];
    for (const outsider of outsiders) {
      const socket = await outsider.socket();
      outsiderSockets.push(socket);
      for (const [event, testCase] of Object.entries(cases)) {
        const ref = `${outsider.user.handle}-${event}`;
        socket.send(event, testCase.data, ref);
        const answer = await socket.waitForRef(ref);
        answers.push(`${event}:${answer.event === 'error' ? answer.data.code : answer.event}`);
        expect(JSON.stringify(answer)).not.toMatch(/u_alice|u_linh|BK-1001|4200|Alice|Linh/);
        if (testCase.expect === 'forbidden') {
          expect(answer, ref).toMatchObject({ event: 'error', data: { code: 'forbidden' } });
        } else {
          expect(answer.event, ref).toBe(testCase.expect);
        }
      }
      // The replay too: `since` from the start of the log.
      socket.send('subscribe', { conversationId: BK_1001_THREAD, since: 0 }, 'replay');
      expect((await socket.waitForRef('replay')).data).toMatchObject({ code: 'forbidden' });
      // An outsider's unsubscribe answers what it answers for a thread that does not exist.
      socket.send('unsubscribe', { conversationId: 'th_does_not_exist' }, 'nx');
      expect((await socket.waitForRef('nx')).event).toBe('unsubscribed');
    }

    // Insiders keep working: typing, a message with mentions, presence changes, a join.
    insiders[0]!.send('typing', { conversationId: BK_1001_THREAD });
    await insiders[1]!.next('typing');
    await postMessage(linh.http, BK_1001_THREAD, `@bob @somchai ${SECRET}`, 'in-2');
    for (const socket of insiders)
      await socket.next('message.new', (frame) => frame.data.message.seq === 2);
    const vu = await as(DEMO.vu);
    await subscribe(await vu.socket(), BK_1001_THREAD);
    await insiders[0]!.next('presence', (frame) => frame.data.userId === 'u_vu');
    await insiders[1]!.close();
    await insiders[0]!.next(
      'presence',
      (frame) => frame.data.userId === 'u_linh' && !frame.data.online,
    );

    // Nothing the outsiders did reached the insiders, and nothing of the thread reached them.
    for (const socket of outsiderSockets) {
      socket.send('ping', {}, 'sync');
      await socket.waitForRef('sync');
    }
    const outsiderLeaks = outsiderSockets.flatMap(leaksIn);
    expect(insiders[0]!.all('typing').map((frame) => frame.data.userId)).toEqual([]);
    expect(insiders[0]!.seqs(BK_1001_THREAD)).toEqual([1, 2]);
    const after = await linh.http.get(`/api/chat/conversations/${BK_1001_THREAD}`);
    const joinedByOutsiders = after.body.participants
      .map((user: { id: string }) => user.id)
      .filter((id: string) => id === 'u_bob' || id === 'u_somchai');
    const outsiderNotifications = await Promise.all(
      outsiders.map(
        async (outsider) => (await outsider.http.get('/api/notifications')).body.notifications,
      ),
    );

    record('authz-events', {
      tried:
        'bob (TH customer) and somchai (TH staff) send every client event about th_bk_1001 (VN): subscribe (also with since 0), unsubscribe, message.send with @mentions, typing, read, ping; meanwhile the insiders post, mention them, type, join and leave',
      amount: `${CLIENT_EVENTS.length} events + a replay × 2 users; 2 insider messages, 1 typing, 1 join, 1 presence change`,
      result: `answers: ${[...new Set(answers)].join(', ')}; frames about the thread received by outsiders: ${outsiderLeaks.length}; outsiders joined: ${joinedByOutsiders.length}; mention notifications to outsiders: ${outsiderNotifications.flat().length}; messages stored from outsiders: ${insiders[0]!.seqs(BK_1001_THREAD).length - 2}`,
      figures: {
        eventsTried: CLIENT_EVENTS.length * outsiders.length,
        leakedFrames: outsiderLeaks.length,
        joined: joinedByOutsiders.length,
        notifications: outsiderNotifications.flat().length,
      },
    });
    expect(outsiderLeaks).toEqual([]);
    expect(joinedByOutsiders).toEqual([]);
    expect(outsiderNotifications.flat()).toEqual([]);
    expect(participantsBefore.map((user: { id: string }) => user.id)).toEqual([
      'u_alice',
      'u_linh',
    ]);
  });

  it('answers every chat route on a thread out of scope with 403 and a body that says nothing more', async () => {
    const linh = await as(DEMO.linh);
    await postMessage(linh.http, BK_1001_THREAD, SECRET, 'r-1');
    const created = await new HttpClient(api.baseUrl).post(
      '/api/internal/notifications',
      { userId: 'u_linh', type: 'booking.updated', title: `BK-1001 ${SECRET}` },
      internal,
    );
    const linhNotification = created.body.notification.id as string;

    const thread = `/api/chat/conversations/${BK_1001_THREAD}`;
    // Every route of the chat and notification controllers; the list below must cover them all.
    const cases: Array<{
      method: 'GET' | 'POST';
      route: string;
      path: string;
      body?: unknown;
      expect: number;
    }> = [
      { method: 'GET', route: '/api/chat/conversations/:id', path: thread, expect: 403 },
      {
        method: 'POST',
        route: '/api/chat/conversations/:id/open',
        path: `${thread}/open`,
        body: {},
        expect: 403,
      },
      {
        method: 'GET',
        route: '/api/chat/conversations/:id/header',
        path: `${thread}/header`,
        expect: 403,
      },
      {
        method: 'GET',
        route: '/api/chat/conversations/:id/messages',
        path: `${thread}/messages?limit=100`,
        expect: 403,
      },
      {
        method: 'POST',
        route: '/api/chat/conversations/:id/messages',
        path: `${thread}/messages`,
        body: { body: `@linh ${SECRET}`, clientMessageId: 'o-1' },
        expect: 403,
      },
      {
        method: 'POST',
        route: '/api/chat/conversations/:id/read',
        path: `${thread}/read`,
        body: { seq: 1 },
        expect: 403,
      },
      {
        method: 'GET',
        route: '/api/chat/conversations/:id/presence',
        path: `${thread}/presence`,
        expect: 403,
      },
      {
        method: 'POST',
        route: '/api/notifications/:id/read',
        path: `/api/notifications/${linhNotification}/read`,
        body: {},
        expect: 404,
      },
      // Routes without an id: answered, and only with the caller's own data.
      {
        method: 'GET',
        route: '/api/chat/conversations',
        path: '/api/chat/conversations?scope=all',
        expect: 200,
      },
      { method: 'GET', route: '/api/chat/unread', path: '/api/chat/unread', expect: 200 },
      { method: 'GET', route: '/api/notifications', path: '/api/notifications', expect: 200 },
      {
        method: 'GET',
        route: '/api/notifications/unread-count',
        path: '/api/notifications/unread-count',
        expect: 200,
      },
      {
        method: 'POST',
        route: '/api/notifications/read-all',
        path: '/api/notifications/read-all',
        body: {},
        expect: 204,
      },
    ];
    const express = api.app.getHttpAdapter().getInstance() as {
      router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    };
    const routes = express.router.stack
      .filter((layer) => layer.route && /^\/api\/(chat|notifications)/.test(layer.route.path))
      .map((layer) => `${Object.keys(layer.route!.methods)[0]!.toUpperCase()} ${layer.route!.path}`)
      .sort();
    expect(cases.map((testCase) => `${testCase.method} ${testCase.route}`).sort()).toEqual(routes);

    const outsiders = [await as(DEMO.bob), await as(DEMO.somchai)];
    const anonymous = new HttpClient(api.baseUrl);
    const statuses: string[] = [];
    const leaks: string[] = [];
    for (const testCase of cases) {
      for (const client of [...outsiders.map((outsider) => outsider.http), anonymous]) {
        const response = await client.request(testCase.method, testCase.path, testCase.body);
        const expected = client === anonymous ? 401 : testCase.expect;
        statuses.push(`${testCase.method} ${testCase.route} → ${response.status}`);
        expect(response.status, `${testCase.method} ${testCase.path}`).toBe(expected);
        const text = JSON.stringify(response.body ?? '');
        if (/th_bk_1001|u_alice|u_linh|BK-1001|4200|Alice|Linh/.test(text))
          leaks.push(`${testCase.path}: ${text}`);
        if (response.status >= 400)
          expect(Object.keys(response.body).sort()).toEqual(['error', 'message']);
      }
    }
    // Nothing was written by the refused requests.
    const page = await linh.http.get(`${thread}/messages`);
    const linhNotifications = (await linh.http.get('/api/notifications')).body.notifications;
    const participants = (await linh.http.get(thread)).body.participants.map(
      (user: { id: string }) => user.id,
    );

    record('authz-routes', {
      tried:
        'bob, somchai and an anonymous client call every chat and notification route with th_bk_1001 or linh’s notification: open (GET and POST), header, messages, post (with a mention), read, presence, mark read; and the list routes',
      amount: `${cases.length} routes (checked against the router's own list) × 3 callers = ${cases.length * 3} requests`,
      result: `403 on every thread route, 404 on another user's notification, 401 without a session; error bodies are {error, message} only; ${leaks.length} responses mention the thread or its people; messages in the thread afterwards: ${page.body.messages.length}, linh's notification still unread: ${linhNotifications[0].readAt === null}`,
      figures: {
        routes: cases.length,
        requests: statuses.length,
        leaks: leaks.length,
        messagesAfter: page.body.messages.length,
      },
    });
    expect(leaks).toEqual([]);
    expect(page.body.messages.map((message: { body: string }) => message.body)).toEqual([SECRET]);
    expect(linhNotifications[0].readAt).toBeNull();
    expect(participants).toEqual(['u_alice', 'u_linh']);
  });

  it('re-checks open sockets when a user loses access: no more messages, and no more actions', async () => {
    const [grace, vu] = [await as(DEMO.grace), await as(DEMO.vu)];
    const graceSocket = await grace.socket();
    const vuSocket = await vu.socket();
    await subscribe(graceSocket, BK_2001_THREAD);
    await subscribe(vuSocket, BK_1001_THREAD);
    const bob = await as(DEMO.bob);
    const alice = await as(DEMO.alice);
    await postMessage(bob.http, BK_2001_THREAD, 'before', 'b-1');
    await postMessage(alice.http, BK_1001_THREAD, 'before', 'a-1');
    await graceSocket.next('message.new');
    await vuSocket.next('message.new');

    // The platform makes grace (admin) Vietnamese staff, and moves vu to Thailand. Both took part
    // in the thread they watch (opening it joined them): staff stay out of a foreign thread anyway.
    const admin = new HttpClient(api.baseUrl);
    expect(
      (
        await admin.put(
          '/api/internal/users/u_grace',
          { email: DEMO.grace, name: 'Grace', handle: 'grace', role: 'staff', country: 'VN' },
          internal,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await admin.put(
          '/api/internal/users/u_vu',
          { email: DEMO.vu, name: 'Vu', handle: 'vu', role: 'staff', country: 'TH' },
          internal,
        )
      ).status,
    ).toBe(200);
    // Their open sockets are told, and stop receiving those threads.
    await graceSocket.next(
      'unsubscribed',
      (frame) => frame.data.conversationId === BK_2001_THREAD,
      5_000,
    );
    await vuSocket.next(
      'unsubscribed',
      (frame) => frame.data.conversationId === BK_1001_THREAD,
      5_000,
    );
    await postMessage(bob.http, BK_2001_THREAD, `after ${SECRET}`, 'b-2');
    await postMessage(alice.http, BK_1001_THREAD, `after ${SECRET}`, 'a-2');
    // New actions on those sockets are judged with who they are now.
    graceSocket.send('subscribe', { conversationId: BK_2001_THREAD, since: 0 }, 'g');
    expect((await graceSocket.waitForRef('g')).data).toMatchObject({ code: 'forbidden' });
    vuSocket.send(
      'message.send',
      { conversationId: BK_1001_THREAD, body: 'still here?', clientMessageId: 'v-1' },
      'v',
    );
    expect((await vuSocket.waitForRef('v')).data).toMatchObject({ code: 'forbidden' });
    await expectEventually(() => {
      expect(graceSocket.seqs(BK_2001_THREAD)).toEqual([1]);
      expect(vuSocket.seqs(BK_1001_THREAD)).toEqual([1]);
    });

    // The booking of th_bk_1001 moves to Thailand: linh (VN staff) loses it, alice (its customer) keeps it.
    const linh = await as(DEMO.linh);
    const [linhSocket, aliceSocket] = [await linh.socket(), await alice.socket()];
    await subscribe(linhSocket, BK_1001_THREAD);
    await subscribe(aliceSocket, BK_1001_THREAD);
    const moved = await admin.put(
      '/api/internal/bookings/bk_1001',
      { ref: 'BK-1001', country: 'TH', creatorId: 'u_alice', managerId: 'u_linh' },
      internal,
    );
    expect(moved.status).toBe(200);
    await linhSocket.next('unsubscribed', (frame) => frame.data.conversationId === BK_1001_THREAD);
    await postMessage(alice.http, BK_1001_THREAD, `moved ${SECRET}`, 'a-3');
    await aliceSocket.next('message.new', (frame) => frame.data.message.seq === 3);
    linhSocket.send('ping', {}, 'sync');
    await linhSocket.waitForRef('sync');
    expect(linhSocket.seqs(BK_1001_THREAD)).toEqual([]);
    expect(aliceSocket.all('unsubscribed')).toEqual([]);

    const leaked = [...graceSocket.frames, ...vuSocket.frames, ...linhSocket.frames].filter(
      (frame) => JSON.stringify(frame).includes(SECRET),
    ).length;
    record('authz-revoked', {
      tried:
        'grace (admin) subscribed to th_bk_2001 (TH) becomes VN staff, and vu (VN staff) subscribed to th_bk_1001 (VN) is moved to TH, over the internal API, with their sockets open',
      amount:
        '2 users, 2 live subscriptions; a message posted in each thread afterwards; a subscribe and a send afterwards; then th_bk_1001 moved to TH with linh (VN staff) and alice (its customer) subscribed',
      result: `both sockets got \`unsubscribed\` for the thread; messages received afterwards: ${graceSocket.seqs(BK_2001_THREAD).length - 1 + vuSocket.seqs(BK_1001_THREAD).length - 1}; the later subscribe and send answered forbidden; after the move linh got \`unsubscribed\` and alice kept receiving; frames with the later text: ${leaked}`,
      figures: { leakedFrames: leaked },
    });
    expect(leaked).toBe(0);
  });
});
