import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from '../support/api-instance';
import { BK_1001_THREAD, DEMO, HttpClient } from '../support/http-client';
import { RedisServer } from '../support/redis-server';
import { record } from './support/results';

const APP_ORIGIN = 'https://chat.example.com';

const describeCounts = (values: readonly (string | number)[]) =>
  Object.entries(
    values.reduce<Record<string, number>>((counts, value) => {
      counts[value] = (counts[value] ?? 0) + 1;
      return counts;
    }, {}),
  )
    .map(([key, value]) => `${key} × ${value}`)
    .join(', ');

describe('cross-site requests, cached answers and hostile ids', () => {
  let redis: RedisServer;
  let api: ApiInstance;
  const internal = { authorization: `Bearer ${INTERNAL_TOKEN}` };

  beforeAll(async () => {
    redis = await RedisServer.start();
    api = await startApi({ REDIS_URL: redis.url, DEMO_SEED: 'true', ALLOWED_ORIGINS: APP_ORIGIN });
  });
  afterAll(async () => {
    await api?.close();
    await redis?.dispose();
  });

  const as = async (email: string) => {
    const client = new HttpClient(api.baseUrl);
    await client.login(email);
    return client;
  };

  it('refuses every state-changing route to other sites and to form bodies, and changes nothing', async () => {
    const [alice, linh, vu] = [await as(DEMO.alice), await as(DEMO.linh), await as(DEMO.vu)];
    const notification = (
      await new HttpClient(api.baseUrl).post(
        '/api/internal/notifications',
        { userId: 'u_alice', type: 'system', title: 'Hello' },
        internal,
      )
    ).body.notification.id as string;
    const snapshot = async () => ({
      messages: (await linh.get(`/api/chat/conversations/${BK_1001_THREAD}/messages`)).body.messages
        .length as number,
      unread: (await alice.get('/api/notifications/unread-count')).body.count as number,
      participants: JSON.stringify(
        (await linh.get(`/api/chat/conversations/${BK_1001_THREAD}/header`)).body.participants,
      ),
      alice: JSON.stringify((await alice.get('/api/auth/me')).body),
      vuThreads: JSON.stringify((await vu.get('/api/chat/conversations?scope=mine')).body),
    });
    const before = await snapshot();

    // Every route that changes something, from the router's own list, with a concrete path and
    // a body the route would accept from the app.
    const express = api.app.getHttpAdapter().getInstance() as {
      router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    };
    const changing = express.router.stack
      .flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods).map((method) => ({
              method: method.toUpperCase(),
              route: layer.route!.path,
            }))
          : [],
      )
      // Nest's catch-all (`/api{/*splat}`, every method) answers 404 and changes nothing.
      .filter(({ route }) => route.startsWith('/api/') && !route.includes('splat'))
      .filter(({ method }) => method !== 'GET');
    const concrete: Record<string, { path: string; body?: unknown }> = {
      'POST /api/auth/login': {
        path: '/api/auth/login',
        body: { email: DEMO.alice, password: 'demo1234' },
      },
      'POST /api/auth/logout': { path: '/api/auth/logout' },
      'POST /api/chat/conversations/:id/open': {
        path: `/api/chat/conversations/${BK_1001_THREAD}/open`,
      },
      'POST /api/chat/conversations/:id/messages': {
        path: `/api/chat/conversations/${BK_1001_THREAD}/messages`,
        body: { body: 'forged', clientMessageId: 'forged-1' },
      },
      'POST /api/chat/conversations/:id/read': {
        path: `/api/chat/conversations/${BK_1001_THREAD}/read`,
        body: { seq: 1 },
      },
      'POST /api/notifications/read-all': { path: '/api/notifications/read-all' },
      'POST /api/notifications/:id/read': { path: `/api/notifications/${notification}/read` },
      'PUT /api/internal/users/:id': {
        path: '/api/internal/users/u_alice',
        body: { email: DEMO.alice, name: 'Forged', handle: 'alice', role: 'admin', country: null },
      },
      'DELETE /api/internal/users/:id/sessions': { path: '/api/internal/users/u_alice/sessions' },
      'PUT /api/internal/bookings/:id': {
        path: '/api/internal/bookings/bk_1001',
        body: { ref: 'BK-1001', country: 'TH', creatorId: 'u_alice', managerId: null },
      },
      'POST /api/internal/notifications': {
        path: '/api/internal/notifications',
        body: { userId: 'u_alice', type: 'x', title: 'Forged' },
      },
    };
    const routes = changing.map(({ method, route }) => `${method} ${route}`).sort();
    expect(routes).toEqual(Object.keys(concrete).sort());

    // A forged request carries everything a browser would: the victim's cookie (vu, an in-scope
    // staff member who is not yet in the thread), and even the internal token.
    const attacks: Array<
      [string, (body: unknown) => { headers: Record<string, string>; body?: string }]
    > = [
      [
        'cross-site (Sec-Fetch-Site)',
        (body) => ({
          headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ],
      [
        'same-site subdomain (Sec-Fetch-Site)',
        (body) => ({
          headers: { 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ],
      [
        'foreign Origin, no Fetch Metadata',
        (body) => ({
          headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ],
      [
        'opaque Origin (sandboxed page)',
        (body) => ({
          headers: { origin: 'null', 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ],
      [
        'cross-site HTML form, urlencoded',
        () => ({
          headers: {
            'sec-fetch-site': 'cross-site',
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'email=a%40b.c&body=forged',
        }),
      ],
      [
        'cross-site HTML form, text/plain JSON',
        (body) => ({
          headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
          body: JSON.stringify(body ?? {}),
        }),
      ],
      [
        'same-origin, urlencoded',
        () => ({
          headers: {
            'sec-fetch-site': 'same-origin',
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'body=forged',
        }),
      ],
      [
        'same-origin, multipart',
        () => ({
          headers: {
            'sec-fetch-site': 'same-origin',
            'content-type': 'multipart/form-data; boundary=x',
          },
          body: '--x\r\nContent-Disposition: form-data; name="body"\r\n\r\nforged\r\n--x--',
        }),
      ],
    ];
    const statuses: number[] = [];
    const cacheHeaders = new Set<string>();
    for (const [name, attack] of attacks) {
      for (const route of routes) {
        const { path, body } = concrete[route]!;
        const { headers, body: sent } = attack(body);
        const method = route.split(' ')[0]!;
        const response = await vu.request(method, path, sent, { ...internal, ...headers });
        statuses.push(response.status);
        cacheHeaders.add(response.headers.get('cache-control') ?? 'none');
        const expected = name.startsWith('same-origin') ? 415 : 403;
        expect(response.status, `${name}: ${route}`).toBe(expected);
      }
    }
    const after = await snapshot();
    const readsFromElsewhere = [
      await vu.get('/api/chat/conversations?scope=all', { 'sec-fetch-site': 'cross-site' }),
      await vu.get('/api/notifications', { 'sec-fetch-site': 'cross-site' }),
      // Reading a thread joins no one, so a read from another site changes nothing either.
      await vu.get(`/api/chat/conversations/${BK_1001_THREAD}`, { 'sec-fetch-site': 'cross-site' }),
    ].map((response) => response.status);
    const afterReads = await snapshot();
    const fromTheApp = await vu.post(`/api/chat/conversations/${BK_1001_THREAD}/open`, undefined, {
      'sec-fetch-site': 'same-origin',
    });

    record('cross-site', {
      tried: `every route that changes something (${routes.length}, from the router's own list: no GET changes anything, reading a thread joins no one) with vu's session cookie and the internal token: from another site by Sec-Fetch-Site (cross-site, same-site), by Origin alone (foreign, null), as cross-site HTML forms (urlencoded, text/plain holding JSON), and from the app itself with form bodies (urlencoded, multipart); then reads from another site`,
      amount: `${attacks.length} kinds × ${routes.length} routes = ${statuses.length} requests`,
      result: `answers ${describeCounts(statuses)}; afterwards messages, notifications, participants, alice's account, vu's threads and every session unchanged (${JSON.stringify(before) === JSON.stringify(after) ? 'identical' : 'CHANGED'}); Cache-Control on every answer: ${[...cacheHeaders].join(', ')}; reads from another site (lists, the bell, a thread) answered ${readsFromElsewhere.join(', ')} and changed nothing (SameSite=Lax keeps the cookie off them in browsers); opening the thread from the app ${fromTheApp.status}`,
      figures: {
        routes: routes.length,
        requests: statuses.length,
        refused403: statuses.filter((status) => status === 403).length,
        refused415: statuses.filter((status) => status === 415).length,
        unchanged: JSON.stringify(before) === JSON.stringify(after),
        cacheControl: [...cacheHeaders].join(','),
      },
    });
    expect(after).toEqual(before);
    expect(afterReads).toEqual(before);
    expect([...cacheHeaders]).toEqual(['no-store']);
    expect(readsFromElsewhere).toEqual([200, 200, 200]);
    expect(fromTheApp.status).toBe(200);
  });

  it('refuses ids outside letters, digits, "_" and "-" before they reach a Redis key', async () => {
    const alice = await as(DEMO.alice);
    const hostile = [
      'a:b',
      'u_mallory:sessions',
      'x*',
      '{x}',
      'a b',
      'a\nb',
      'a\u0000b',
      'é',
      'a/b',
      'a.b',
      'a'.repeat(129),
    ];
    const user = {
      email: 'mallory@demo.test',
      name: 'M',
      handle: 'mallory',
      role: 'customer',
      country: 'VN',
    };
    const statuses: number[] = [];
    for (const id of hostile) {
      const encoded = encodeURIComponent(id);
      const probes = [
        await new HttpClient(api.baseUrl).put(`/api/internal/users/${encoded}`, user, internal),
        await new HttpClient(api.baseUrl).put(
          `/api/internal/bookings/${encoded}`,
          { ref: 'X', country: 'VN', creatorId: 'u_alice', managerId: null },
          internal,
        ),
        await new HttpClient(api.baseUrl).put(
          '/api/internal/bookings/bk_hostile',
          { ref: 'X', country: 'VN', creatorId: id, managerId: null },
          internal,
        ),
        await new HttpClient(api.baseUrl).post(
          '/api/internal/notifications',
          { userId: id, type: 'x', title: 'x' },
          internal,
        ),
        await new HttpClient(api.baseUrl).request(
          'DELETE',
          `/api/internal/users/${encoded}/sessions`,
          undefined,
          internal,
        ),
        await alice.get(`/api/chat/conversations/${encoded}/messages`),
        await alice.post(`/api/notifications/${encoded}/read`),
      ];
      for (const probe of probes) {
        statuses.push(probe.status);
        expect(probe.status, `${JSON.stringify(id)}`).toBe(400);
      }
    }
    const client = redis.client();
    const keys = await client.keys('*');
    client.disconnect();
    const tainted = keys.filter((key) =>
      hostile.some(
        (id) => key.includes(id) || key.includes('mallory') || key.includes('bk_hostile'),
      ),
    );
    record('id-characters', {
      tried:
        'ids with Redis key separators and patterns (`:`, `*`, `{}`), a space, a newline, a NUL, a non-ASCII letter, a slash, a dot and 129 characters, in every place an id enters: user, booking and session paths of the internal API, the creator of a booking, the user of a notification, a conversation and a notification in the chat routes',
      amount: `${hostile.length} ids × 7 places = ${statuses.length} requests; then every Redis key listed`,
      result: `answers ${describeCounts(statuses)}; Redis keys holding any of them afterwards: ${tainted.length} of ${keys.length}`,
      figures: {
        requests: statuses.length,
        refused: statuses.filter((status) => status === 400).length,
        taintedKeys: tainted.length,
        keys: keys.length,
      },
    });
    expect(tainted).toEqual([]);
  });
});
