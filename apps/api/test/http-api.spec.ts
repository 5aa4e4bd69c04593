import { randomBytes, scryptSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../src/common/domain-errors';
import { RATE_LIMIT_WINDOW_SECONDS, RateLimiter } from '../src/common/rate-limiter';
import { NotificationRepository } from '../src/modules/notifications/notification.repository';
import { UserRepository } from '../src/modules/users/user.repository';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from './support/api-instance';
import { INTEGRATION_ENGINES, useEngine } from './support/engines';
import { BK_1001_THREAD, BK_2001_THREAD, DEMO, HttpClient } from './support/http-client';
import { expectEventually } from '@chat/test-support';

describe.each(INTEGRATION_ENGINES)('HTTP API on the %s engine', (engineName) => {
  const engine = useEngine(engineName);
  let api: ApiInstance;
  const as = async (email: string) => {
    const client = new HttpClient(api.baseUrl);
    await client.login(email);
    return client;
  };
  const internal = () => ({ authorization: `Bearer ${INTERNAL_TOKEN}` });

  beforeEach(async () => {
    await engine.reset();
    api = await startApi(engine.environment());
  });
  afterEach(async () => {
    await api.close();
  });

  describe('health', () => {
    it('reports the engine in use', async () => {
      const response = await new HttpClient(api.baseUrl).get('/api/health');
      expect(response).toMatchObject({
        status: 200,
        body: { status: 'ok', engine: engineName === 'memory' ? 'memory' : 'redis' },
      });
      const ready = await new HttpClient(api.baseUrl).get('/api/health/ready');
      expect(ready.status).toBe(200);
    });
  });

  describe('auth', () => {
    it('answers a wrong password and an unknown email with the same 401', async () => {
      const client = new HttpClient(api.baseUrl);
      const wrongPassword = await client.post('/api/auth/login', {
        email: DEMO.alice,
        password: 'nope-nope',
      });
      const unknownEmail = await client.post('/api/auth/login', {
        email: 'who@demo.test',
        password: 'nope-nope',
      });
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(wrongPassword.body).toEqual(unknownEmail.body);
      expect(wrongPassword.body.error).toBe('invalid_credentials');
      expect(wrongPassword.headers.get('set-cookie')).toBeNull();
    });

    it('sets an HttpOnly, SameSite=Lax session cookie and answers /auth/me', async () => {
      const client = new HttpClient(api.baseUrl);
      const response = await client.post('/api/auth/login', {
        email: 'ALICE@demo.test ',
        password: 'demo1234',
      });
      expect(response.status).toBe(200);
      expect(response.body.user).toMatchObject({
        handle: 'alice',
        role: 'customer',
        country: 'VN',
      });
      expect(response.body.user).not.toHaveProperty('passwordHash');
      const cookie = response.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^sid=[\w-]{40,};/);
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).toMatch(/; SameSite=Lax/i);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Secure/);
      expect((await client.get('/api/auth/me')).body.user.id).toBe(response.body.user.id);
    });

    it('accepts the session id as a bearer token', async () => {
      const client = await as(DEMO.linh);
      const sessionId = client.sessionCookie!.slice('sid='.length);
      const bearer = new HttpClient(api.baseUrl);
      const me = await bearer.get('/api/auth/me', { authorization: `Bearer ${sessionId}` });
      expect(me.body.user.handle).toBe('linh');
    });

    it('revokes the session on logout: the old cookie then gets 401', async () => {
      const client = await as(DEMO.alice);
      const oldCookie = client.sessionCookie;
      expect((await client.post('/api/auth/logout')).status).toBe(204);
      const replay = new HttpClient(api.baseUrl);
      replay.sessionCookie = oldCookie;
      const me = await replay.get('/api/auth/me');
      expect(me.status).toBe(401);
      expect(me.body.error).toBe('unauthorized');
    });

    const meStatus = async (cookie: string | null) => {
      const client = new HttpClient(api.baseUrl);
      client.sessionCookie = cookie;
      return (await client.get('/api/auth/me')).status;
    };
    const alicePut = (password?: string) =>
      new HttpClient(api.baseUrl).put(
        '/api/internal/users/u_alice',
        {
          email: DEMO.alice,
          name: 'Alice',
          handle: 'alice',
          role: 'customer',
          country: 'VN',
          ...(password ? { password } : {}),
        },
        internal(),
      );

    it('ends every session of a user on the internal route, and only theirs', async () => {
      const [laptop, phone, linh] = [
        await as(DEMO.alice),
        await as(DEMO.alice),
        await as(DEMO.linh),
      ];
      const ended = await new HttpClient(api.baseUrl).request(
        'DELETE',
        '/api/internal/users/u_alice/sessions',
        undefined,
        internal(),
      );
      expect(ended).toMatchObject({ status: 200, body: { ended: 2 } });
      expect(await meStatus(laptop.sessionCookie)).toBe(401);
      expect(await meStatus(phone.sessionCookie)).toBe(401);
      expect(await meStatus(linh.sessionCookie)).toBe(200);
      const unknown = await new HttpClient(api.baseUrl).request(
        'DELETE',
        '/api/internal/users/u_nobody/sessions',
        undefined,
        internal(),
      );
      expect(unknown.status).toBe(404);
      const anonymous = await new HttpClient(api.baseUrl).request(
        'DELETE',
        '/api/internal/users/u_linh/sessions',
      );
      expect(anonymous.status).toBe(401);
    });

    it('ends the sessions of a user whose password changes, and none when it is sent unchanged', async () => {
      const client = await as(DEMO.alice);
      expect((await alicePut('demo1234')).status).toBe(200);
      expect(await meStatus(client.sessionCookie)).toBe(200);
      expect((await alicePut()).status).toBe(200);
      expect(await meStatus(client.sessionCookie)).toBe(200);
      expect((await alicePut('a-new-password')).status).toBe(200);
      expect(await meStatus(client.sessionCookie)).toBe(401);
      await new HttpClient(api.baseUrl).login(DEMO.alice, 'a-new-password');
    });

    it('replaces a hash stored with the older scrypt cost by argon2id on the next login', async () => {
      const users = api.app.get(UserRepository);
      const alice = (await users.findById('u_alice'))!;
      const salt = randomBytes(16);
      const key = scryptSync('demo1234', salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 2 ** 26 });
      const legacy = `scrypt$32768$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
      await users.upsert({ ...alice, passwordHash: legacy });
      const client = new HttpClient(api.baseUrl);
      expect(
        (await client.post('/api/auth/login', { email: DEMO.alice, password: 'wrong-one' })).status,
      ).toBe(401);
      expect((await users.findById('u_alice'))!.passwordHash).toBe(legacy);
      await client.login(DEMO.alice);
      const rehashed = (await users.findById('u_alice'))!.passwordHash!;
      expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      await new HttpClient(api.baseUrl).login(DEMO.alice);
    });

    it('rejects requests without a session', async () => {
      const client = new HttpClient(api.baseUrl);
      expect((await client.get('/api/chat/conversations')).status).toBe(401);
      expect((await client.get('/api/notifications')).status).toBe(401);
      client.sessionCookie = 'sid=forged-session-id';
      expect((await client.get('/api/auth/me')).status).toBe(401);
    });
  });

  describe('cross-site requests and caching', () => {
    const login = (headers: Record<string, string>, body?: string) =>
      new HttpClient(api.baseUrl).request(
        'POST',
        '/api/auth/login',
        body ?? JSON.stringify({ email: DEMO.alice, password: 'demo1234' }),
        { 'content-type': 'application/json', ...headers },
      );

    it('refuses a state-changing request sent by another site, by Sec-Fetch-Site or else Origin', async () => {
      const crossSite: Record<string, string>[] = [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'none' },
        { origin: 'https://evil.example' },
        { origin: 'null' },
        // Sec-Fetch-Site wins over an Origin that would pass.
        { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:3100' },
      ];
      for (const headers of crossSite) {
        const refused = await login(headers);
        expect(refused.status, JSON.stringify(headers)).toBe(403);
        expect(refused.body.error).toBe('forbidden');
        expect(refused.headers.get('set-cookie')).toBeNull();
      }
      expect((await login({ 'sec-fetch-site': 'same-origin' })).status).toBe(200);
      expect((await login({ origin: 'http://localhost:3100' })).status).toBe(200);
      // Neither header: not a browser, which holds its credentials anyway.
      expect((await login({})).status).toBe(200);

      const alice = await as(DEMO.alice);
      const readAll = await alice.request('POST', '/api/notifications/read-all', undefined, {
        'sec-fetch-site': 'cross-site',
      });
      expect(readAll.status).toBe(403);
      const logout = await alice.request('POST', '/api/auth/logout', undefined, {
        'sec-fetch-site': 'cross-site',
      });
      expect(logout.status).toBe(403);
      expect((await alice.get('/api/auth/me')).status).toBe(200);
    });

    it('takes bodies as JSON only, which no HTML form can send', async () => {
      const form = await login(
        { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        `email=${encodeURIComponent(DEMO.alice)}&password=demo1234`,
      );
      expect(form.status).toBe(415);
      expect(form.body.error).toBe('bad_request');
      const text = await login({ 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
      const multipart = await login({ 'content-type': 'multipart/form-data; boundary=x' }, '--x--');
      expect(multipart.status).toBe(415);
      expect((await login({ 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    });

    it('joins a thread only on a POST from the app itself; a read, even from a cross-site link, joins no one', async () => {
      const vu = await as(DEMO.vu);
      const participants = async () =>
        (
          (await vu.get(`/api/chat/conversations/${BK_1001_THREAD}/header`)).body.participants as {
            handle: string;
          }[]
        ).map((user) => user.handle);
      const navigation = await vu.get(`/api/chat/conversations/${BK_1001_THREAD}`, {
        'sec-fetch-site': 'cross-site',
      });
      expect(navigation.status).toBe(200);
      expect(await participants()).not.toContain('vu');
      const fromApp = await vu.post(`/api/chat/conversations/${BK_1001_THREAD}/open`, undefined, {
        'sec-fetch-site': 'same-origin',
      });
      expect(fromApp.status).toBe(200);
      expect(await participants()).toContain('vu');
      const posted = await vu.post(`/api/chat/conversations/${BK_2001_THREAD}/open`, undefined, {
        'sec-fetch-site': 'cross-site',
      });
      expect(posted.status).toBe(403);
      expect((await vu.post(`/api/chat/conversations/${BK_1001_THREAD}/open`)).body.id).toBe(
        BK_1001_THREAD,
      );
      // Reading changes nothing, so a read from elsewhere is not refused.
      expect(
        (await vu.get('/api/chat/conversations', { 'sec-fetch-site': 'cross-site' })).status,
      ).toBe(200);
    });

    it('tells every cache to keep no answer, and browsers to sniff and render none', async () => {
      const alice = await as(DEMO.alice);
      for (const response of [
        await alice.get('/api/auth/me'),
        await alice.get('/api/notifications'),
        await new HttpClient(api.baseUrl).get('/api/auth/me'),
        await alice.get('/api/chat/conversations/th_nope'),
      ]) {
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('content-security-policy')).toBe(
          "default-src 'none'; frame-ancestors 'none'",
        );
      }
    });
  });

  describe('country scope', () => {
    it('refuses out-of-scope staff and joins them to nothing', async () => {
      const somchai = await as(DEMO.somchai);
      const opened = await somchai.get(`/api/chat/conversations/${BK_1001_THREAD}`);
      expect(opened.status).toBe(403);
      expect(opened.body.error).toBe('forbidden');
      for (const path of ['', '/header', '/messages']) {
        expect((await somchai.get(`/api/chat/conversations/${BK_1001_THREAD}${path}`)).status).toBe(
          403,
        );
      }
      const post = await somchai.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
        body: 'hello',
        clientMessageId: 'c1',
      });
      expect(post.status).toBe(403);
      expect(
        (await somchai.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, { seq: 1 })).status,
      ).toBe(403);

      const mine = await somchai.get('/api/chat/conversations');
      expect(mine.body.conversations.map((item: { id: string }) => item.id)).toEqual([
        BK_2001_THREAD,
      ]);
      const all = await somchai.get('/api/chat/conversations?scope=all');
      expect(all.body.conversations.map((item: { id: string }) => item.id)).toEqual([
        BK_2001_THREAD,
      ]);

      const linh = await as(DEMO.linh);
      const thread = await linh.get(`/api/chat/conversations/${BK_1001_THREAD}`);
      expect(thread.body.participants.map((user: { handle: string }) => user.handle)).toEqual([
        'alice',
        'linh',
      ]);
    });

    it('auto-joins in-scope staff when they open the thread (a POST; reading it joins no one)', async () => {
      const vu = await as(DEMO.vu);
      expect((await vu.get('/api/chat/conversations')).body.conversations).toEqual([]);
      const all = await vu.get('/api/chat/conversations?scope=all');
      expect(all.body.conversations.map((item: { id: string }) => item.id)).toEqual([
        BK_1001_THREAD,
      ]);

      const read = await vu.get(`/api/chat/conversations/${BK_1001_THREAD}`);
      expect(read.status).toBe(200);
      expect(read.body.participants.map((user: { handle: string }) => user.handle)).toEqual([
        'alice',
        'linh',
      ]);
      const opened = await vu.post(`/api/chat/conversations/${BK_1001_THREAD}/open`, {});
      expect(opened.status).toBe(200);
      expect(opened.body).toMatchObject({
        id: BK_1001_THREAD,
        booking: { ref: 'BK-1001', country: 'VN' },
        title: 'Booking BK-1001',
      });
      expect(opened.body.participants.map((user: { handle: string }) => user.handle)).toEqual([
        'alice',
        'linh',
        'vu',
      ]);
      const mine = await vu.get('/api/chat/conversations');
      expect(mine.body.conversations.map((item: { id: string }) => item.id)).toEqual([
        BK_1001_THREAD,
      ]);
    });

    it('lets customers read only their own threads, and admins every thread', async () => {
      const bob = await as(DEMO.bob);
      expect((await bob.get(`/api/chat/conversations/${BK_1001_THREAD}`)).status).toBe(403);
      expect((await bob.get(`/api/chat/conversations/${BK_1001_THREAD}/messages`)).status).toBe(
        403,
      );
      expect((await bob.get(`/api/chat/conversations/${BK_2001_THREAD}`)).status).toBe(200);
      const bobAll = await bob.get('/api/chat/conversations?scope=all');
      expect(bobAll.body.conversations.map((item: { id: string }) => item.id)).toEqual([
        BK_2001_THREAD,
      ]);

      const grace = await as(DEMO.grace);
      expect((await grace.get(`/api/chat/conversations/${BK_1001_THREAD}/messages`)).status).toBe(
        200,
      );
      expect((await grace.get(`/api/chat/conversations/${BK_1001_THREAD}`)).status).toBe(200);
      expect((await grace.get(`/api/chat/conversations/${BK_2001_THREAD}`)).status).toBe(200);
    });

    it('answers 404 for a conversation that does not exist', async () => {
      const grace = await as(DEMO.grace);
      const response = await grace.get('/api/chat/conversations/th_nope');
      expect(response).toMatchObject({ status: 404, body: { error: 'not_found' } });
    });

    it('serves the thread header with creator, manager and participants', async () => {
      const alice = await as(DEMO.alice);
      const header = await alice.get(`/api/chat/conversations/${BK_1001_THREAD}/header`);
      expect(header.status).toBe(200);
      expect(header.body.creator.handle).toBe('alice');
      expect(header.body.manager.handle).toBe('linh');
      expect(header.body.participants.map((user: { handle: string }) => user.handle)).toEqual([
        'alice',
        'linh',
      ]);
      expect(header.body.creator).not.toHaveProperty('email');
    });
  });

  describe('messages', () => {
    const messagesPath = `/api/chat/conversations/${BK_1001_THREAD}/messages`;

    it('stores a message once per clientMessageId', async () => {
      const alice = await as(DEMO.alice);
      const first = await alice.post(messagesPath, { body: 'Hello there', clientMessageId: 'm-1' });
      const retry = await alice.post(messagesPath, { body: 'Hello there', clientMessageId: 'm-1' });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(200);
      expect(retry.body.message).toEqual(first.body.message);
      expect(first.body.message).toMatchObject({
        conversationId: BK_1001_THREAD,
        seq: 1,
        body: 'Hello there',
        author: { handle: 'alice', name: 'Alice Nguyen', role: 'customer' },
        mentions: [],
      });
      const page = await alice.get(messagesPath);
      expect(page.body).toEqual({ messages: [first.body.message], hasMore: false });
    });

    it('keeps seq gapless under 200 concurrent posts', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          (index % 2 ? alice : linh).post(messagesPath, {
            body: `n${index}`,
            clientMessageId: `c-${index}`,
          }),
        ),
      );
      expect(responses.every((response) => response.status === 201)).toBe(true);
      const seqs = responses
        .map((response) => response.body.message.seq as number)
        .sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    });

    it('pages history oldest first with before and limit', async () => {
      const alice = await as(DEMO.alice);
      for (let index = 1; index <= 5; index++) {
        await alice.post(messagesPath, { body: `message ${index}`, clientMessageId: `p-${index}` });
      }
      const latest = await alice.get(`${messagesPath}?limit=2`);
      expect(latest.body.messages.map((message: { seq: number }) => message.seq)).toEqual([4, 5]);
      expect(latest.body.hasMore).toBe(true);
      const older = await alice.get(`${messagesPath}?before=4&limit=2`);
      expect(older.body.messages.map((message: { seq: number }) => message.seq)).toEqual([2, 3]);
      const oldest = await alice.get(`${messagesPath}?before=2&limit=2`);
      expect(oldest.body).toMatchObject({ hasMore: false });
      expect(oldest.body.messages.map((message: { seq: number }) => message.seq)).toEqual([1]);
      expect((await alice.get(`${messagesPath}?limit=0`)).status).toBe(400);
      expect((await alice.get(`${messagesPath}?limit=101`)).status).toBe(400);
    });

    it('counts true unread: only messages from others above the read marker', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      for (let index = 1; index <= 3; index++) {
        await alice.post(messagesPath, {
          body: `from alice ${index}`,
          clientMessageId: `u-${index}`,
        });
      }
      // The other participants' counts follow within a second (decision 0020).
      await expectEventually(async () =>
        expect((await linh.get('/api/chat/unread')).body).toEqual({
          total: 3,
          conversations: { [BK_1001_THREAD]: 3 },
          hasMore: false,
        }),
      );
      // Only conversations with unread messages are listed: the others are 0.
      expect((await alice.get('/api/chat/unread')).body).toEqual({
        total: 0,
        conversations: {},
        hasMore: false,
      });

      expect(
        (await linh.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, { seq: 2 })).status,
      ).toBe(204);
      expect((await linh.get('/api/chat/unread')).body.conversations[BK_1001_THREAD]).toBe(1);
      // Markers never move back.
      await linh.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, { seq: 1 });
      expect((await linh.get('/api/chat/unread')).body.conversations[BK_1001_THREAD]).toBe(1);

      await linh.post(messagesPath, { body: 'reply', clientMessageId: 'r-1' });
      await expectEventually(async () =>
        expect((await alice.get('/api/chat/unread')).body.total).toBe(1),
      );
      const list = await linh.get('/api/chat/conversations');
      expect(list.body.conversations[0]).toMatchObject({
        id: BK_1001_THREAD,
        bookingRef: 'BK-1001',
        unreadCount: 1,
        lastMessage: { seq: 4, body: 'reply' },
      });
    });

    it('turns a mention of someone with access into one notification, and nothing otherwise', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const somchai = await as(DEMO.somchai);
      const posted = await alice.post(messagesPath, {
        body: 'Hi @linh and @somchai, mail me at alice@linh.test',
        clientMessageId: 'mention-1',
      });
      expect(posted.body.message.mentions).toEqual(['u_linh']);
      await alice.post(messagesPath, {
        body: 'Hi @linh and @somchai, mail me at alice@linh.test',
        clientMessageId: 'mention-1',
      });

      const linhNotifications = await linh.get('/api/notifications');
      expect(linhNotifications.body.notifications).toHaveLength(1);
      expect(linhNotifications.body.notifications[0]).toMatchObject({
        type: 'mention',
        link: `/threads/${BK_1001_THREAD}`,
        readAt: null,
      });
      expect((await linh.get('/api/notifications/unread-count')).body).toEqual({ count: 1 });
      expect((await somchai.get('/api/notifications')).body.notifications).toEqual([]);
      expect((await somchai.get('/api/notifications/unread-count')).body).toEqual({ count: 0 });
    });

    it('completes a post whose mention step failed when it is retried, notifying once', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      // The notification store fails once, as in a Redis blip between the append and the mention.
      const notifications = api.app.get(NotificationRepository);
      const create = notifications.create.bind(notifications);
      let failures = 1;
      notifications.create = (userId, notification) =>
        failures-- > 0 ? Promise.reject(new UnavailableError()) : create(userId, notification);
      const post = { body: 'Could you look at this, @linh?', clientMessageId: 'mention-retry' };

      const failed = await alice.post(messagesPath, post);
      expect(failed.status).toBe(503);
      const retried = await alice.post(messagesPath, post);
      expect(retried.status).toBe(200);
      expect(retried.body.message.mentions).toEqual(['u_linh']);
      expect((await alice.post(messagesPath, post)).status).toBe(200);

      const mentions = (await linh.get('/api/notifications')).body.notifications.filter(
        (notification: { type: string }) => notification.type === 'mention',
      );
      expect(mentions).toHaveLength(1);
      expect((await linh.get('/api/notifications/unread-count')).body).toEqual({ count: 1 });
      const history = await alice.get(messagesPath);
      expect(
        history.body.messages.filter((message: { body: string }) => message.body === post.body),
      ).toHaveLength(1);
    });

    it('looks up and notifies at most 10 mentioned handles per message', async () => {
      const alice = await as(DEMO.alice);
      const users = api.app.get(UserRepository);
      const findByHandle = users.findByHandle.bind(users);
      let lookups = 0;
      users.findByHandle = (handle) => {
        lookups++;
        return findByHandle(handle);
      };
      const handles = Array.from({ length: 1_000 }, (_, index) => `@someone${index}`);
      const posted = await alice.post(messagesPath, {
        body: ['@linh', ...handles].join(' ').slice(0, 4_000),
        clientMessageId: 'many-mentions',
      });
      expect(posted.status).toBe(201);
      expect(posted.body.message.mentions).toEqual(['u_linh']);
      expect(lookups).toBe(10);
    });

    it('tells each participant’s read marker with the thread, and the client id of each message', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const posted = await alice.post(messagesPath, { body: 'one', clientMessageId: 'c-one' });
      expect(posted.body.message.clientMessageId).toBe('c-one');
      await alice.post(messagesPath, { body: 'two', clientMessageId: 'c-two' });
      await linh.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, {
        seq: posted.body.message.seq,
      });
      const thread = await alice.get(`/api/chat/conversations/${BK_1001_THREAD}`);
      expect(thread.body.readMarkers).toEqual({
        u_alice: 0,
        u_linh: posted.body.message.seq,
      });
      const page = await linh.get(messagesPath);
      expect(page.body.messages.at(-1)).toMatchObject({ body: 'two', clientMessageId: 'c-two' });
    });

    it('reading a thread past a mention marks the mention read, and only that far', async () => {
      const alice = await as(DEMO.alice);
      const linh = await as(DEMO.linh);
      const first = await alice.post(messagesPath, { body: '@linh first', clientMessageId: 'm-1' });
      await alice.post(messagesPath, { body: 'between', clientMessageId: 'm-2' });
      await alice.post(messagesPath, { body: '@linh second', clientMessageId: 'm-3' });
      expect((await linh.get('/api/notifications/unread-count')).body).toEqual({ count: 2 });

      const readPath = `/api/chat/conversations/${BK_1001_THREAD}/read`;
      await linh.post(readPath, { seq: first.body.message.seq + 1 });
      // Marked as the read is told (a listener of conversation.read), just after the answer.
      await expectEventually(async () =>
        expect((await linh.get('/api/notifications/unread-count')).body).toEqual({ count: 1 }),
      );
      const page = (await linh.get('/api/notifications')).body.notifications;
      expect(
        page.map((item: { body: string; readAt: string | null }) => [item.body, !!item.readAt]),
      ).toEqual([
        ['@linh second', false],
        ['@linh first', true],
      ]);
      await linh.post(readPath, { seq: first.body.message.seq + 2 });
      await expectEventually(async () =>
        expect((await linh.get('/api/notifications/unread-count')).body).toEqual({ count: 0 }),
      );
    });

    it('lists only the unread notifications on ?unread=true, page by page', async () => {
      const linh = await as(DEMO.linh);
      const client = new HttpClient(api.baseUrl);
      const ids: string[] = [];
      for (let index = 1; index <= 5; index += 1) {
        const created = await client.post(
          '/api/internal/notifications',
          { userId: 'u_linh', type: 'system', title: `n${index}` },
          internal(),
        );
        ids.push(created.body.notification.id);
      }
      await linh.post(`/api/notifications/${ids[3]}/read`, {});
      await linh.post(`/api/notifications/${ids[1]}/read`, {});
      const first = await linh.get('/api/notifications?unread=true&limit=2');
      expect(first.body.notifications.map((item: { title: string }) => item.title)).toEqual([
        'n5',
        'n3',
      ]);
      expect(first.body.hasMore).toBe(true);
      const rest = await linh.get(
        `/api/notifications?unread=true&limit=2&before=${first.body.notifications[1].id}`,
      );
      expect(rest.body).toMatchObject({ notifications: [{ title: 'n1' }], hasMore: false });
      expect((await linh.get('/api/notifications?unread=maybe')).status).toBe(400);
    });

    it('rejects invalid bodies with 400 and the field problems', async () => {
      const alice = await as(DEMO.alice);
      const empty = await alice.post(messagesPath, { body: '   ', clientMessageId: '' });
      expect(empty.status).toBe(400);
      expect(empty.body.error).toBe('bad_request');
      expect(empty.body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
        'body',
        'clientMessageId',
      ]);
      const tooLong = await alice.post(messagesPath, {
        body: 'x'.repeat(4001),
        clientMessageId: 'long',
      });
      expect(tooLong.status).toBe(400);
      const notJson = await alice.request('POST', messagesPath, '{"body":', {
        'content-type': 'application/json',
      });
      expect(notJson.status).toBe(400);
      expect(notJson.body.error).toBe('bad_request');
      const huge = await alice.post(messagesPath, {
        body: 'x'.repeat(5 * 1024 * 1024),
        clientMessageId: 'huge',
      });
      expect(huge.status).toBe(413);
      expect(huge.body.error).toBe('bad_request');
      const badRead = await alice.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, {
        seq: -1,
      });
      expect(badRead.status).toBe(400);
      expect((await alice.get('/api/chat/conversations?scope=everything')).status).toBe(400);
      expect((await alice.get(messagesPath)).body.messages).toEqual([]);
    });
  });

  describe('notifications', () => {
    it('lists newest first, pages, marks read and marks all read', async () => {
      const grace = await as(DEMO.grace);
      const ids: string[] = [];
      for (let index = 1; index <= 3; index++) {
        const created = await grace.post(
          '/api/internal/notifications',
          {
            userId: 'u_grace',
            type: 'booking.updated',
            title: `Update ${index}`,
            link: '/bookings/bk_1001',
          },
          internal(),
        );
        expect(created.status).toBe(201);
        ids.push(created.body.notification.id);
      }
      const firstPage = await grace.get('/api/notifications?limit=2');
      expect(firstPage.body.notifications.map((item: { title: string }) => item.title)).toEqual([
        'Update 3',
        'Update 2',
      ]);
      expect(firstPage.body.hasMore).toBe(true);
      const secondPage = await grace.get(`/api/notifications?limit=2&before=${ids[1]}`);
      expect(secondPage.body).toMatchObject({ hasMore: false });
      expect(secondPage.body.notifications.map((item: { title: string }) => item.title)).toEqual([
        'Update 1',
      ]);

      expect((await grace.post(`/api/notifications/${ids[0]}/read`)).status).toBe(204);
      expect((await grace.get('/api/notifications/unread-count')).body.count).toBe(2);
      expect((await grace.post('/api/notifications/read-all')).status).toBe(204);
      expect((await grace.get('/api/notifications/unread-count')).body.count).toBe(0);
      const all = await grace.get('/api/notifications');
      expect(
        all.body.notifications.every((item: { readAt: string | null }) => item.readAt !== null),
      ).toBe(true);
    });

    it("does not let a user read someone else's notification", async () => {
      const grace = await as(DEMO.grace);
      const created = await grace.post(
        '/api/internal/notifications',
        { userId: 'u_linh', type: 'system', title: 'For linh' },
        internal(),
      );
      const response = await grace.post(`/api/notifications/${created.body.notification.id}/read`);
      expect(response.status).toBe(404);
      const linh = await as(DEMO.linh);
      expect((await linh.get('/api/notifications/unread-count')).body.count).toBe(1);
    });
  });

  describe('internal routes', () => {
    it('answer 401 to a wrong token and to none', async () => {
      const client = new HttpClient(api.baseUrl);
      const body = { userId: 'u_alice', type: 'system', title: 'Hi' };
      expect(
        (
          await client.post('/api/internal/notifications', body, {
            authorization: 'Bearer wrong-token',
          })
        ).status,
      ).toBe(401);
      expect((await client.post('/api/internal/notifications', body)).status).toBe(401);
    });

    it('upsert users and bookings, creating the booking thread with its participants', async () => {
      const client = new HttpClient(api.baseUrl);
      const user = await client.put(
        '/api/internal/users/u_mai',
        {
          email: 'mai@demo.test',
          name: 'Mai',
          handle: 'mai',
          role: 'customer',
          country: 'VN',
          password: 'mai-secret-1',
        },
        internal(),
      );
      expect(user.status).toBe(200);
      const booking = await client.put(
        '/api/internal/bookings/bk_3001',
        { ref: 'BK-3001', country: 'VN', creatorId: 'u_mai', managerId: 'u_vu' },
        internal(),
      );
      expect(booking.status).toBe(200);
      const again = await client.put(
        '/api/internal/bookings/bk_3001',
        { ref: 'BK-3001', country: 'VN', creatorId: 'u_mai', managerId: 'u_vu' },
        internal(),
      );
      expect(again.body.conversationId).toBe(booking.body.conversationId);

      const mai = new HttpClient(api.baseUrl);
      await mai.login('mai@demo.test', 'mai-secret-1');
      const thread = await mai.get(`/api/chat/conversations/${booking.body.conversationId}`);
      expect(thread.body.participants.map((item: { handle: string }) => item.handle)).toEqual([
        'mai',
        'vu',
      ]);

      const clash = await client.put(
        '/api/internal/users/u_other',
        { email: 'mai@demo.test', name: 'Other', handle: 'other', role: 'customer', country: null },
        internal(),
      );
      expect(clash.status).toBe(409);
      const unknownCreator = await client.put(
        '/api/internal/bookings/bk_4001',
        { ref: 'BK-4001', country: 'VN', creatorId: 'u_nobody', managerId: null },
        internal(),
      );
      expect(unknownCreator.status).toBe(400);
      const invalid = await client.put(
        '/api/internal/users/u_bad',
        { email: 'not-an-email', role: 'king' },
        internal(),
      );
      expect(invalid.status).toBe(400);
      expect(invalid.body.issues.map((issue: { path: string }) => issue.path)).toEqual(
        expect.arrayContaining(['email', 'role', 'name', 'handle', 'country']),
      );
    });

    it('keep a booking’s details, which its thread shows and names itself after', async () => {
      const client = new HttpClient(api.baseUrl);
      const details = {
        name: 'Riverside Homestay, Hội An',
        startDate: '2026-03-12',
        endDate: '2026-03-15',
        guests: 2,
        status: 'confirmed',
      };
      const base = { ref: 'BK-1001', country: 'VN', creatorId: 'u_alice', managerId: 'u_linh' };
      const saved = await client.put(
        '/api/internal/bookings/bk_1001',
        { ...base, details },
        internal(),
      );
      expect(saved.status).toBe(200);
      const alice = await as(DEMO.alice);
      const thread = await alice.get(`/api/chat/conversations/${BK_1001_THREAD}`);
      expect(thread.body.booking).toEqual({
        id: 'bk_1001',
        ref: 'BK-1001',
        country: 'VN',
        details,
      });
      expect(thread.body.title).toBe('Riverside Homestay, Hội An');

      const wrong = await client.put(
        '/api/internal/bookings/bk_1001',
        { ...base, details: { startDate: '2026-03-15', endDate: '2026-03-12' } },
        internal(),
      );
      expect(wrong.status).toBe(400);
      expect(wrong.body.issues.map((issue: { path: string }) => issue.path)).toEqual([
        'details.endDate',
      ]);
      // Details are replaced as a whole: none given, none kept.
      await client.put('/api/internal/bookings/bk_1001', base, internal());
      const plain = await alice.get(`/api/chat/conversations/${BK_1001_THREAD}`);
      expect(plain.body.booking.details).toBeUndefined();
      expect(plain.body.title).toBe('Booking BK-1001');
    });
  });
});

describe('internal routes without INTERNAL_API_TOKEN', () => {
  it('answer 404, as if they did not exist', async () => {
    const api = await startApi({ INTERNAL_API_TOKEN: '' });
    try {
      const client = new HttpClient(api.baseUrl);
      const response = await client.post(
        '/api/internal/notifications',
        { userId: 'u_alice', type: 'system', title: 'Hi' },
        { authorization: `Bearer ${INTERNAL_TOKEN}` },
      );
      expect(response.status).toBe(404);
      expect(response.body.error).toBe('not_found');
    } finally {
      await api.close();
    }
  });
});

describe('the message rate limit', () => {
  it('counts every post, and a refused one changes nothing: no message, no join', async () => {
    const api = await startApi({ MESSAGE_RATE_PER_USER: '1' });
    try {
      const login = async (email: string) => {
        const client = new HttpClient(api.baseUrl);
        await client.login(email);
        return client;
      };
      const [alice, bob, vu] = [
        await login(DEMO.alice),
        await login(DEMO.bob),
        await login(DEMO.vu),
      ];
      const thread = `/api/chat/conversations/${BK_1001_THREAD}`;
      const messages = `${thread}/messages`;
      const handles = async () =>
        (await alice.get(thread)).body.participants.map((user: { handle: string }) => user.handle);

      expect((await alice.post(messages, { body: 'one', clientMessageId: 'a-1' })).status).toBe(
        201,
      );
      expect((await alice.post(messages, { body: 'two', clientMessageId: 'a-2' })).status).toBe(
        429,
      );
      // A post that access refuses still counts.
      expect((await bob.post(messages, { body: 'x', clientMessageId: 'b-1' })).status).toBe(403);
      expect((await bob.post(messages, { body: 'x', clientMessageId: 'b-2' })).status).toBe(429);
      // vu is in-scope staff and not a participant: his first post would make him one. With his
      // budget spent, the refused post leaves him out.
      const participants = await handles();
      expect(participants).not.toContain('vu');
      await api.app
        .get(RateLimiter)
        .take('messages', { points: 1, windowSeconds: RATE_LIMIT_WINDOW_SECONDS }, 'u_vu');
      expect((await vu.post(messages, { body: 'late', clientMessageId: 'v-1' })).status).toBe(429);
      expect(await handles()).toEqual(participants);
      const page = await alice.get(messages);
      expect(page.body.messages.map((message: { body: string }) => message.body)).toEqual(['one']);
    } finally {
      await api.close();
    }
  });
});

describe.each(INTEGRATION_ENGINES)('the login rate limit on the %s engine', (engineName) => {
  const engine = useEngine(engineName);

  it('counts every attempt from an address, right or wrong, and refuses the next with 429', async () => {
    await engine.reset();
    // Two replicas on Redis share the count; the embedded engine runs one.
    const replicas = await Promise.all(
      (engineName === 'memory' ? [1] : [1, 2]).map(() =>
        startApi({ ...engine.environment(), LOGIN_RATE_PER_IP: '3' }),
      ),
    );
    try {
      const attempt = (index: number, password: string, headers: Record<string, string> = {}) =>
        new HttpClient(replicas[index % replicas.length]!.baseUrl).post(
          '/api/auth/login',
          { email: DEMO.alice, password },
          headers,
        );
      expect((await attempt(0, 'wrong-password')).status).toBe(401);
      expect((await attempt(1, 'wrong-password')).status).toBe(401);
      expect((await attempt(2, 'demo1234')).status).toBe(200);
      const refused = await attempt(3, 'demo1234');
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe('rate_limited');
      expect(refused.headers.get('set-cookie')).toBeNull();
      // Another client address, as the trusted edge reports it, has its own budget.
      const elsewhere = await attempt(0, 'demo1234', { 'x-forwarded-for': '203.0.113.7' });
      expect(elsewhere.status).toBe(200);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});

describe.each(INTEGRATION_ENGINES)('the per-account login limit on the %s engine', (engineName) => {
  const engine = useEngine(engineName);

  it('counts attempts on one account from any address, and refuses known and unknown accounts alike', async () => {
    await engine.reset();
    const replicas = await Promise.all(
      (engineName === 'redis' ? [1, 2] : [1]).map(() =>
        startApi({
          ...engine.environment(),
          LOGIN_RATE_PER_ACCOUNT: '3',
          LOGIN_RATE_PER_IP: '100',
        }),
      ),
    );
    try {
      // Each attempt from another address, as the trusted edge reports it.
      let address = 0;
      const attempt = (email: string, password: string) => {
        address++;
        return new HttpClient(replicas[address % replicas.length]!.baseUrl).post(
          '/api/auth/login',
          { email, password },
          { 'x-forwarded-for': `198.51.100.${address}` },
        );
      };
      for (const email of [DEMO.alice, 'nobody@demo.test']) {
        for (let index = 0; index < 3; index++)
          expect((await attempt(email, 'wrong-password')).status).toBe(401);
      }
      const known = await attempt(DEMO.alice, 'demo1234');
      const unknown = await attempt('nobody@demo.test', 'demo1234');
      expect(known.status).toBe(429);
      expect(unknown.status).toBe(429);
      expect(known.body).toEqual(unknown.body);
      expect(known.headers.get('set-cookie')).toBeNull();
      // The address limit and the account limit answer alike as well.
      expect(known.body).toEqual({
        error: 'rate_limited',
        message: 'Too many login attempts; try again later',
      });
      // Other accounts keep their own budget.
      expect((await attempt(DEMO.linh, 'demo1234')).status).toBe(200);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
