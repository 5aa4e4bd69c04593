import { PUBLIC_GATEWAY_PATH } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type NginxEdge, startNginxEdge } from './support/nginx';
import { type Service, startApi, startRedis, startWeb } from './support/processes';
import { expectEventually, freePort, within } from '@chat/test-support';

/**
 * The whole edge for real: nginx with the shipped deploy/nginx template, the web app laid out
 * as its Dockerfile lays it out (Next's generated server.js), and two API processes sharing one
 * redis-server. nginx sends WebSockets to API A; the web app's /api proxy talks to API B, so a
 * message posted through the edge is stored on B and must reach a socket held by A.
 */

const CONVERSATION = 'th_bk_1001';
const INTERNAL_TOKEN = 'edge-e2e-internal-token-0123456789';
const EDGE_SECRET = 'edge-e2e-trusted-proxy-secret';

/**
 * Production refuses the demo seed: the users and the booking come in through the internal
 * API, as the rest of the platform sends them.
 */
async function seed(apiUrl: string): Promise<void> {
  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${apiUrl}/api/internal/${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${INTERNAL_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, path).toBe(200);
  };
  for (const [id, name, role, country] of [
    ['u_alice', 'Alice', 'customer', 'VN'],
    ['u_linh', 'Linh', 'staff', 'VN'],
  ] as const) {
    const handle = name.toLowerCase();
    await put(`users/${id}`, {
      email: `${handle}@demo.test`,
      name,
      handle,
      role,
      country,
      password: 'demo1234',
    });
  }
  await put('bookings/bk_1001', {
    ref: 'BK-1001',
    country: 'VN',
    creatorId: 'u_alice',
    managerId: 'u_linh',
  });
}

type Frame = { event: string; data: any; ref?: string };

/** A WebSocket client that keeps every frame and waits for one by predicate, bounded. */
class Client {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves with the handshake status (101) once open, or rejects with what happened. */
  static open(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ client: Client; status: number }> {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    const client = new Client(socket);
    return within(
      new Promise((resolve, reject) => {
        let status = 0;
        socket.once('upgrade', (response) => (status = response.statusCode ?? 0));
        socket.once('open', () => resolve({ client, status }));
        socket.once('unexpected-response', (_request, response) =>
          reject(new Error(`handshake answered ${response.statusCode}`)),
        );
        socket.once('error', reject);
      }),
      5_000,
      `WebSocket to ${url}`,
    );
  }

  async next(event: string, predicate: (frame: Frame) => boolean = () => true, timeoutMs = 5_000) {
    const find = () => this.frames.find((frame) => frame.event === event && predicate(frame));
    return within(
      (async () => {
        for (;;) {
          const found = find();
          if (found) return found;
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })(),
      timeoutMs,
      `waiting for ${event}`,
    );
  }

  send(frame: Frame): void {
    this.socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Logs in through `baseUrl` and returns the `sid=…` cookie pair. */
async function login(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo1234' }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('sid='));
  expect(cookie, 'login sets the session cookie').toBeDefined();
  return cookie!.split(';')[0]!;
}

function requestsLogged(api: Service, method: string, path: string): number {
  return api.jsonLogs().filter((line) => line.req?.method === method && line.req?.path === path)
    .length;
}

function openSockets(metrics: string): number {
  const match = /^chat_ws_open_sockets(?:\{[^}]*\})? (\d+)/m.exec(metrics);
  if (!match) throw new Error('chat_ws_open_sockets is missing from the metrics');
  return Number(match[1]);
}

describe('the edge, end to end: nginx + web (standalone) + two API instances on one Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let apiA: Service & { metricsUrl: string };
  let apiB: Service & { metricsUrl: string };
  let web: Service;
  let edge: NginxEdge;
  let origin: string;

  beforeAll(async () => {
    const edgePort = await freePort();
    origin = `http://127.0.0.1:${edgePort}`;
    redis = await startRedis();
    const environment = {
      NODE_ENV: 'production',
      REDIS_URL: redis.url,
      ALLOWED_ORIGINS: origin,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      TRUSTED_PROXY_SECRET: EDGE_SECRET,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '2000',
    };
    [apiA, apiB] = await Promise.all([
      startApi('api-a', environment),
      startApi('api-b', environment),
    ]);
    await seed(apiB.baseUrl);
    web = await startWeb(apiB.baseUrl);
    edge = await startNginxEdge(
      { api: apiA.address, web: web.address },
      { port: edgePort, trustedProxySecret: EDGE_SECRET },
    );
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await Promise.all([web?.stop(), apiA?.stop(), apiB?.stop()]);
    await redis?.stop();
  }, 30_000);

  it('answers GET / with 200 through the edge, static chunks included', async () => {
    const response = await fetch(`${edge.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    // The chunks the page loads are served from the .next/static the Dockerfile copies.
    const chunk = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(chunk, 'the page references a static chunk').toBeDefined();
    expect((await fetch(`${edge.baseUrl}${chunk}`)).status).toBe(200);
  });

  it('carries HTTP /api/* from the edge through the web app to the API', async () => {
    const before = requestsLogged(apiB, 'GET', '/api/auth/me');
    const cookie = await login(edge.baseUrl, 'alice@demo.test');
    const response = await fetch(`${edge.baseUrl}/api/auth/me`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { email: string } }).user.email).toBe(
      'alice@demo.test',
    );
    // Only the web app talks to API B: the request went edge → web → API. An API logs a
    // request once its answer is sent, so the line may reach this process after the answer.
    await expectEventually(() =>
      expect(requestsLogged(apiB, 'GET', '/api/auth/me')).toBe(before + 1),
    );
    expect(requestsLogged(apiA, 'GET', '/api/auth/me')).toBe(0);
  });

  it('upgrades /api/ws/chat through the edge, and delivers a message posted through the edge to the other instance', async () => {
    const linh = await login(edge.baseUrl, 'linh@demo.test');
    const alice = await login(edge.baseUrl, 'alice@demo.test');
    const { client, status } = await Client.open(
      `ws://127.0.0.1:${edge.port}${PUBLIC_GATEWAY_PATH}`,
      {
        cookie: linh,
        origin,
      },
    );
    try {
      expect(status).toBe(101);
      await client.next('ready');
      client.send({ event: 'subscribe', data: { conversationId: CONVERSATION }, ref: 's1' });
      await client.next('subscribed', (frame) => frame.data.conversationId === CONVERSATION);
      // The socket lives on A, not on B.
      expect(openSockets(await (await fetch(apiA.metricsUrl)).text())).toBe(1);
      expect(openSockets(await (await fetch(apiB.metricsUrl)).text())).toBe(0);

      const body = `through the edge ${Date.now()}`;
      const path = `/api/chat/conversations/${CONVERSATION}/messages`;
      const postedAt = performance.now();
      const posted = await fetch(`${edge.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: alice },
        body: JSON.stringify({ body, clientMessageId: `edge-${Date.now()}` }),
      });
      expect(posted.status).toBe(201);
      const delivered = await client.next(
        'message.new',
        (frame) => frame.data.message.body === body,
        2_000,
      );
      const latencyMs = performance.now() - postedAt;
      expect(delivered.data.conversationId).toBe(CONVERSATION);
      // Stored by B (the web app's API), delivered by A (the socket's API). B publishes the
      // message as it stores it, before it answers and logs the request.
      await expectEventually(() => expect(requestsLogged(apiB, 'POST', path)).toBe(1));
      expect(requestsLogged(apiA, 'POST', path)).toBe(0);
      console.info(
        `edge e2e: POST through the edge to message.new on the other instance in ${latencyMs.toFixed(1)} ms`,
      );
    } finally {
      client.close();
    }
  });

  it('refuses to upgrade /api/ws/chat on the web server itself', async () => {
    const linh = await login(edge.baseUrl, 'linh@demo.test');
    const attempt = Client.open(`ws://127.0.0.1:${web.port}${PUBLIC_GATEWAY_PATH}`, {
      cookie: linh,
      origin,
    });
    // Next's server.js ends the socket (or answers without 101): never a WebSocket.
    await expect(attempt).rejects.toThrow(/socket hang up|handshake answered|ECONNRESET/);
    expect(web.running()).toBe(true);
  });
});
