import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RealtimeClient, type WebSocketLike } from '@chat/realtime-client';
import { type Message } from '@chat/protocol';
import { ensureApiBuilt } from './support/api-build';
import { type ApiProcess, redisEnvironment, spawnApi } from './support/api-process';
import { BK_1001_THREAD, DEMO, HttpClient } from './support/http-client';
import { postMessage, range, signIn, subscribe } from './support/realtime';
import { RedisServer } from './support/redis-server';
import { type TestSocket, wsUrl } from './support/ws-client';

/** Replicas as separate processes, for what only a real process shows: SIGKILL and SIGTERM. */
describe('realtime replicas as processes', () => {
  let redis: RedisServer;
  const processes: ApiProcess[] = [];
  const sockets: TestSocket[] = [];
  const start = async (environment: Record<string, string> = {}) => {
    const api = await spawnApi(redisEnvironment(redis.url, { LOG_LEVEL: 'info', ...environment }));
    processes.push(api);
    return api;
  };

  beforeAll(async () => {
    ensureApiBuilt();
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.dispose();
  });
  beforeEach(async () => {
    const client = redis.client();
    await client.flushall();
    client.disconnect();
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await Promise.all(processes.splice(0).map((api) => api.stop('SIGKILL')));
  });

  it('reports the users of a SIGKILLed replica offline within PRESENCE_TTL_SECONDS + one heartbeat', async () => {
    const ttlSeconds = 2;
    const heartbeatMs = 500;
    const environment = {
      PRESENCE_TTL_SECONDS: String(ttlSeconds),
      WS_HEARTBEAT_MS: String(heartbeatMs),
    };
    const [a, b] = await Promise.all([start(environment), start(environment)]);
    const linhOnB = await signIn(b, DEMO.linh);
    const watcher = await linhOnB.socket();
    sockets.push(watcher);
    await subscribe(watcher, BK_1001_THREAD);
    const aliceOnA = await signIn(a, DEMO.alice);
    const alice = await aliceOnA.socket();
    sockets.push(alice);
    await watcher.next('presence', (frame) => frame.data.userId === 'u_alice' && frame.data.online);
    const presencePath = `/api/chat/conversations/${BK_1001_THREAD}/presence`;
    expect((await linhOnB.http.get(presencePath)).body.members[0]).toEqual({
      userId: 'u_alice',
      online: true,
    });

    const killedAt = Date.now();
    await a.stop('SIGKILL');
    const offline = await watcher.next(
      'presence',
      (frame) => frame.data.userId === 'u_alice' && !frame.data.online,
      10_000,
    );
    const elapsed = Date.now() - killedAt;
    expect(offline.data.conversationId).toBe(BK_1001_THREAD);
    expect((await linhOnB.http.get(presencePath)).body.members[0]).toEqual({
      userId: 'u_alice',
      online: false,
    });
    console.log(
      `offline reported ${elapsed} ms after SIGKILL (bound: ${ttlSeconds * 1000 + heartbeatMs} ms)`,
    );
    // The bound, plus a little for timer scheduling on a busy machine.
    expect(elapsed).toBeLessThanOrEqual(ttlSeconds * 1000 + heartbeatMs + 250);
  });

  it('drains 200 sockets with 1012 on SIGTERM; the client reconnects them elsewhere and resumes without loss', async () => {
    const environment = {
      WS_MAX_SOCKETS_PER_USER: '1000',
      SHUTDOWN_GRACE_MS: '8000',
      // 200 clients on one address connect, then reconnect, within seconds.
      WS_CONNECT_RATE_PER_IP: '0',
      LOGIN_RATE_PER_IP: '0',
    };
    const [a, b] = await Promise.all([start(environment), start(environment)]);
    const linh = new HttpClient(a.baseUrl);
    await linh.login(DEMO.linh);
    const cookie = linh.sessionCookie!;
    const endpoints = [wsUrl(a.baseUrl), wsUrl(b.baseUrl)];

    const clients = range(1, 200).map(() => {
      let attempt = 0;
      const client = new RealtimeClient({
        // Like a load balancer: endpoints in turn; refused or dead ones just cost a retry.
        url: () => endpoints[attempt++ % endpoints.length]!,
        createWebSocket: (url) =>
          new WebSocket(url, { headers: { cookie } }) as unknown as WebSocketLike,
      });
      const record = { client, closeCodes: [] as number[], seqs: [] as number[], subscribedOn: 0 };
      client.on('state', (state, info) => {
        if (state === 'reconnecting' && info) record.closeCodes.push(info.code);
      });
      client.on('message', (message: Message) => record.seqs.push(message.seq));
      client.on('subscribed', () => record.subscribedOn++);
      client.subscribe(BK_1001_THREAD);
      client.connect();
      return record;
    });
    try {
      await waitFor(
        () => clients.every((record) => record.subscribedOn === 1),
        20_000,
        'all 200 subscribed on A',
      );
      const alice = await signIn(b, DEMO.alice);
      for (let index = 1; index <= 10; index++)
        await postMessage(alice.http, BK_1001_THREAD, `before ${index}`, `p-${index}`);
      await waitFor(
        () => clients.every((record) => record.seqs.length === 10),
        10_000,
        'the first 10 messages',
      );

      // Writes go on (on B) during the whole drain.
      let writing = true;
      let written = 10;
      const writer = (async () => {
        while (writing || written < 40) {
          written++;
          const response = await postMessage(
            alice.http,
            BK_1001_THREAD,
            `during ${written}`,
            `p-${written}`,
          );
          expect(response.status).toBe(201);
        }
      })();
      const readiness: number[] = [];
      const probing = (async () => {
        while (a.child.exitCode === null) {
          const status = await fetch(`${a.baseUrl}/api/health/ready`).then(
            (response) => response.status,
            () => 0,
          );
          readiness.push(status);
          if (status === 0) return;
        }
      })();

      const signalledAt = Date.now();
      const exitCode = await a.stop('SIGTERM');
      const drainedIn = Date.now() - signalledAt;
      writing = false;
      await Promise.all([writer, probing]);

      expect(exitCode).toBe(0);
      expect(drainedIn).toBeLessThan(8_000);
      expect(readiness).toContain(503);
      const firstCloseCodes = clients.map((record) => record.closeCodes[0]);
      expect(firstCloseCodes.filter((code) => code === 1012)).toHaveLength(200);
      expect(firstCloseCodes).not.toContain(1006);

      await waitFor(
        () =>
          clients.every(
            (record) => record.client.state === 'connected' && record.seqs.length === written,
          ),
        20_000,
        `all 200 back on B with ${written} messages`,
      );
      for (const record of clients) expect(record.seqs).toEqual(range(1, written));
      console.log(
        `SIGTERM drained 200 sockets and exited in ${drainedIn} ms; ${written} messages, none lost or repeated`,
      );
      expect(b.child.exitCode).toBeNull();
    } finally {
      for (const record of clients) record.client.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
