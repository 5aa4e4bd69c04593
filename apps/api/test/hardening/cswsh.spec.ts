import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiInstance, startApi } from '../support/api-instance';
import { redisEnvironment, spawnApi } from '../support/api-process';
import { expectEventually } from '@chat/test-support';
import { BK_1001_THREAD, DEMO, HttpClient } from '../support/http-client';
import { metric, signIn, subscribe } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { TestSocket, wsUrl } from '../support/ws-client';
import { RawWebSocket } from './support/raw-websocket';
import { record } from './support/results';

const APP_ORIGIN = 'https://app.example.com';

/** What a hostile page (or a script pretending to be one) can send in the upgrade. */
const HOSTILE_ORIGINS: Array<[string, Record<string, string | string[]>]> = [
  ['another site', { Origin: 'https://evil.test' }],
  ['look-alike suffix', { Origin: 'https://app.example.com.evil.test' }],
  ['look-alike prefix', { Origin: 'https://evilapp.example.com' }],
  ['subdomain', { Origin: 'https://sub.app.example.com' }],
  ['hyphenated look-alike', { Origin: 'https://app-example.com' }],
  ['shorter TLD', { Origin: 'https://app.example.co' }],
  ['userinfo trick', { Origin: 'https://app.example.com@evil.test' }],
  ['http instead of https', { Origin: 'http://app.example.com' }],
  ['trailing slash', { Origin: 'https://app.example.com/' }],
  ['explicit default port', { Origin: 'https://app.example.com:443' }],
  ['other port', { Origin: 'https://app.example.com:8443' }],
  ['upper case', { Origin: 'HTTPS://APP.EXAMPLE.COM' }],
  ['opaque origin (sandboxed iframe, file:)', { Origin: 'null' }],
  ['empty', { Origin: '' }],
  ['two Origin headers', { Origin: [APP_ORIGIN, 'https://evil.test'] }],
  [
    'protocol version 8, hostile Sec-WebSocket-Origin',
    { 'Sec-WebSocket-Version': '8', 'Sec-WebSocket-Origin': 'https://evil.test' },
  ],
  [
    'protocol version 8, allowed Origin, hostile Sec-WebSocket-Origin',
    {
      'Sec-WebSocket-Version': '8',
      Origin: APP_ORIGIN,
      'Sec-WebSocket-Origin': 'https://evil.test',
    },
  ],
];

describe('cross-site WebSocket hijacking, sessions in URLs, and logs', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  describe('on an instance that allows only https://app.example.com', () => {
    let api: ApiInstance;
    let port: number;
    beforeAll(async () => {
      api = await startApi({
        REDIS_URL: redis.url,
        DEMO_SEED: 'true',
        ALLOWED_ORIGINS: APP_ORIGIN,
      });
      port = Number(new URL(api.baseUrl).port);
    });
    afterAll(async () => {
      await api?.close();
    });

    it('answers 403 before any 101 to hostile and look-alike origins, even with a valid session', async () => {
      const { cookie } = await signIn(api, DEMO.alice);
      const answers: Array<{ name: string; status: number; head: string }> = [];
      for (const [name, headers] of HOSTILE_ORIGINS) {
        const socket = await RawWebSocket.open(port, { Cookie: cookie, ...headers });
        const { status, head } = await socket.response;
        answers.push({ name, status, head });
        socket.destroy();
      }
      // The same session from the real app, and from a non-browser client (no Origin), is let in.
      const allowed = await RawWebSocket.open(port, { Cookie: cookie, Origin: APP_ORIGIN });
      const allowedStatus = (await allowed.response).status;
      allowed.destroy();
      const noOrigin = await RawWebSocket.open(port, { Cookie: cookie });
      const noOriginStatus = (await noOrigin.response).status;
      noOrigin.destroy();

      const refused = answers.filter((answer) => answer.status === 403).length;
      record('cswsh-origin', {
        tried:
          'upgrades with a valid session cookie and a hostile Origin: another site, look-alikes (`https://app.example.com.evil.test`, `evilapp.`, `sub.`, `app-example.com`, `.co`, userinfo), http instead of https, trailing slash, explicit and other ports, upper case, `null`, empty, two Origin headers, protocol version 8 with a hostile `Sec-WebSocket-Origin`',
        amount: `${HOSTILE_ORIGINS.length} origins against ALLOWED_ORIGINS=${APP_ORIGIN}; controls: the allowed origin, no Origin`,
        result: `${refused}/${HOSTILE_ORIGINS.length} answered 403 before any 101 (raw response read from the socket); the allowed origin got ${allowedStatus}, no Origin ${noOriginStatus}`,
        figures: {
          origins: HOSTILE_ORIGINS.length,
          refused403: refused,
          upgraded: answers.filter((answer) => answer.status === 101).length,
          allowedOriginStatus: allowedStatus,
          noOriginStatus,
        },
      });
      for (const answer of answers) {
        expect(answer, answer.name).toMatchObject({ status: 403 });
        expect(answer.head).not.toMatch(/101|Upgrade: websocket/i);
      }
      expect(allowedStatus).toBe(101);
      expect(noOriginStatus).toBe(101);
    });

    it('accepts no session id from the URL, on the gateway or over HTTP', async () => {
      const alice = new HttpClient(api.baseUrl);
      await alice.login(DEMO.alice);
      const sessionId = alice.sessionCookie!.slice('sid='.length);
      const queries = [
        `sid=${sessionId}`,
        `session=${sessionId}`,
        `token=${sessionId}`,
        `access_token=${sessionId}`,
        `authorization=Bearer%20${sessionId}`,
      ];
      const gateway: number[] = [];
      for (const query of queries) {
        const socket = await RawWebSocket.open(port, { Origin: APP_ORIGIN }, `/ws/chat?${query}`);
        gateway.push((await socket.response).status);
        socket.destroy();
      }
      const anonymous = new HttpClient(api.baseUrl);
      const http: number[] = [];
      for (const query of queries) {
        for (const path of ['/api/auth/me', '/api/chat/conversations', '/api/notifications']) {
          http.push((await anonymous.get(`${path}?${query}`)).status);
        }
      }
      // The session itself is valid: the same id in the header is accepted.
      const control = await TestSocket.connect(api.baseUrl, { bearer: sessionId });
      control.terminate();

      record('session-in-url', {
        tried:
          'a valid session id as `?sid=`, `?session=`, `?token=`, `?access_token=`, `?authorization=Bearer …` on the gateway and on three HTTP routes',
        amount: `${gateway.length} upgrades, ${http.length} HTTP requests; control: the same id as a bearer header`,
        result: `upgrades answered ${[...new Set(gateway)].join(', ')}, HTTP ${[...new Set(http)].join(', ')}; the bearer header was accepted`,
        figures: {
          upgrades: gateway.length,
          upgradesRefused: gateway.filter((status) => status === 401).length,
          httpRequests: http.length,
          httpRefused: http.filter((status) => status === 401).length,
        },
      });
      expect(gateway.every((status) => status === 401)).toBe(true);
      expect(http.every((status) => status === 401)).toBe(true);
    });
  });

  it('logs no session id and no message body at trace level, whatever the clients send', async () => {
    const api = await spawnApi(redisEnvironment(redis.url, { LOG_LEVEL: 'trace' }));
    const secrets: string[] = [];
    const secretBody = (label: string) => {
      const body = `secret-body-${label}-${Math.random().toString(36).slice(2)}`;
      secrets.push(body);
      return body;
    };
    try {
      const alice = await signIn(api, DEMO.alice);
      const somchai = await signIn(api, DEMO.somchai);
      const sessionIds = [alice.cookie, somchai.cookie].map((cookie) =>
        cookie.slice('sid='.length),
      );
      secrets.push(...sessionIds);

      // Cookie and bearer sockets; sends, bad frames, forbidden actions, oversize frames.
      const cookieSocket = await alice.socket();
      await subscribe(cookieSocket, BK_1001_THREAD);
      const bearerSocket = await TestSocket.connect(api.baseUrl, { bearer: sessionIds[1]! });
      cookieSocket.send(
        'message.send',
        { conversationId: BK_1001_THREAD, body: secretBody('ws'), clientMessageId: 'log-1' },
        'l1',
      );
      await cookieSocket.next('message.ack');
      cookieSocket.sendRaw(`{"event":"message.send","data":{"body":"${secretBody('broken-json')}"`);
      cookieSocket.send(
        'message.send',
        {
          conversationId: BK_1001_THREAD,
          body: `${secretBody('too-long')}${'x'.repeat(4_000)}`,
          clientMessageId: 'log-2',
        },
        'l2',
      );
      cookieSocket.send(secretBody('event-name').slice(0, 60), {
        body: secretBody('unknown-event'),
      });
      bearerSocket.send(
        'message.send',
        {
          conversationId: BK_1001_THREAD,
          body: secretBody('forbidden-ws'),
          clientMessageId: 'log-3',
        },
        'l3',
      );
      await bearerSocket.next('error');
      await cookieSocket.until(() => cookieSocket.all('error').length >= 3);
      cookieSocket.sendRaw(`${secretBody('oversize')}${'y'.repeat(70_000)}`);
      expect((await cookieSocket.closed).code).toBe(1009);

      // HTTP: posts, a forbidden post, a bad body, a retry, and the session id in URLs.
      await alice.http.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
        body: secretBody('http'),
        clientMessageId: 'log-4',
      });
      await somchai.http.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
        body: secretBody('forbidden-http'),
        clientMessageId: 'log-5',
      });
      await alice.http.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
        body: [secretBody('array')],
        clientMessageId: 'log-6',
      });
      await new HttpClient(api.baseUrl).get(`/api/auth/me?sid=${sessionIds[0]}`);
      const inUrl = new WebSocket(`${wsUrl(api.baseUrl)}?sid=${sessionIds[0]}`);
      await new Promise((resolve) => {
        inUrl.once('unexpected-response', resolve);
        inUrl.once('error', resolve);
      });
      inUrl.terminate();

      // A Redis outage while clients keep sending: the error paths log too.
      await redis.stop();
      await expectEventually(
        async () =>
          expect(
            await metric(api, 'chat_redis_errors_total{connection="command"}'),
          ).toBeGreaterThan(0),
        { timeoutMs: 10_000 },
      );
      await alice.http.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
        body: secretBody('during-outage'),
        clientMessageId: 'log-7',
      });
      bearerSocket.send(
        'message.send',
        { conversationId: 'th_bk_2001', body: secretBody('outage-ws'), clientMessageId: 'log-8' },
        'l8',
      );
      await bearerSocket.next('error', (frame) => frame.ref === 'l8', 10_000);
      await redis.start();
      await expectEventually(
        async () => expect((await alice.http.get('/api/health/ready')).status).toBe(200),
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      await alice.http.post('/api/auth/logout');
      bearerSocket.terminate();
    } finally {
      await api.stop();
    }

    const output = api.output();
    const lines = output.trim().split('\n');
    const leaks = secrets.filter((secret) => output.includes(secret));
    const levels = [...new Set(lines.map((line) => JSON.parse(line).level as number))].sort();
    record('logs', {
      tried:
        'a built API process at LOG_LEVEL=trace on Redis: cookie and bearer sockets, message.send, broken JSON, an over-long body, an unknown event, a forbidden send and post, a 70 KB frame, a bad body, session ids in URLs, a Redis outage with sends in flight, logout; its whole output searched',
      amount: `${secrets.length} secrets (2 session ids, ${secrets.length - 2} distinct message bodies) in ${lines.length} log lines (levels ${levels.join(', ')})`,
      result: `${leaks.length} of the secrets found in the output; every line is JSON`,
      figures: { secrets: secrets.length, logLines: lines.length, leaks: leaks.length },
    });
    expect(leaks).toEqual([]);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    // The run did log requests, sockets and the outage: an empty log would prove nothing.
    expect(output).toMatch(/"path":"\/api\/chat\/conversations\/th_bk_1001\/messages"/);
    expect(output).toMatch(/ECONNREFUSED/);
  });
});
