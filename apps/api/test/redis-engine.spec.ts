import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/common/rate-limiter';
import { type ApiInstance, startApi } from './support/api-instance';
import { expectEventually } from '@chat/test-support';
import { BK_1001_THREAD, DEMO, HttpClient } from './support/http-client';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { RedisServer } from './support/redis-server';

const messagesPath = `/api/chat/conversations/${BK_1001_THREAD}/messages`;

describe('Redis as the system of record', () => {
  let redis: RedisServer;
  let instances: ApiInstance[] = [];

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
  });
  afterEach(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    instances = [];
  });

  const start = async () => {
    const instance = await startApi({ REDIS_URL: redis.url, DEMO_SEED: 'true' });
    instances.push(instance);
    return instance;
  };

  it('keeps seq gapless under 200 concurrent posts through two API instances', async () => {
    const [a, b] = [await start(), await start()];
    // A session made on one replica is valid on the other: both read the same store.
    const alice = new HttpClient(a.baseUrl);
    await alice.login(DEMO.alice);
    const aliceOnB = new HttpClient(b.baseUrl);
    aliceOnB.sessionCookie = alice.sessionCookie;
    const linh = new HttpClient(b.baseUrl);
    await linh.login(DEMO.linh);

    const posts = Array.from({ length: 200 }, (_, index) => {
      const client = [alice, aliceOnB, linh][index % 3]!;
      return client.post(messagesPath, { body: `message ${index}`, clientMessageId: `c-${index}` });
    });
    // Half of the posts are sent twice, concurrently, to the other instance: still one message each.
    const retries = Array.from({ length: 100 }, (_, index) => {
      const client = index % 3 === 2 ? linh : index % 3 === 0 ? aliceOnB : alice;
      return client.post(messagesPath, { body: `message ${index}`, clientMessageId: `c-${index}` });
    });
    const responses = await Promise.all([...posts, ...retries]);
    expect(responses.every((response) => response.status === 201 || response.status === 200)).toBe(
      true,
    );

    const page = await linh.get(`${messagesPath}?limit=100`);
    expect(page.body.messages.at(-1).seq).toBe(200);
    const all = [
      ...(await linh.get(`${messagesPath}?before=101&limit=100`)).body.messages,
      ...page.body.messages,
    ];
    expect(all.map((message: { seq: number }) => message.seq)).toEqual(
      Array.from({ length: 200 }, (_, index) => index + 1),
    );
    expect(new Set(all.map((message: { body: string }) => message.body)).size).toBe(200);
  });

  it('journals messages, not rate-limit counters: a Redis restart keeps the one and forgets the other', async () => {
    const api = await startApi({
      REDIS_URL: redis.url,
      DEMO_SEED: 'true',
      MESSAGE_RATE_PER_USER: '10',
    });
    instances.push(api);
    const alice = new HttpClient(api.baseUrl);
    await alice.login(DEMO.alice);
    const posted = await alice.post(messagesPath, { body: 'kept', clientMessageId: 'k-1' });
    expect(posted.status).toBe(201);
    const client = redis.client();
    const counters = () => client.keys('chat:rate:messages*');
    expect(await counters()).toHaveLength(1);
    const logSize = async () => Number(/aof_current_size:(\d+)/.exec(await client.info())![1]);
    // A rate-limited action alone adds nothing to the append-only file…
    const before = await logSize();
    await api.app.get(RateLimiter).take('messages', { points: 10, windowSeconds: 10 }, 'u_linh');
    expect(await logSize()).toBe(before);
    client.disconnect();

    // …and a kill -9 keeps every acknowledged message but no counter.
    await redis.stop('SIGKILL');
    await redis.start();
    const restarted = redis.client();
    try {
      expect(await restarted.keys('chat:rate:*')).toEqual([]);
      const { seq } = posted.body.message;
      expect(await restarted.llen(redisKeys.messageLog(BK_1001_THREAD))).toBe(seq);
    } finally {
      restarted.disconnect();
    }
  });

  it('answers 503 on readiness while Redis is down, recovers by itself and loses no acknowledged message', async () => {
    const api = await start();
    const alice = new HttpClient(api.baseUrl);
    await alice.login(DEMO.alice);
    const acknowledged: number[] = [];
    for (let index = 1; index <= 20; index++) {
      const response = await alice.post(messagesPath, {
        body: `before ${index}`,
        clientMessageId: `b-${index}`,
      });
      expect(response.status).toBe(201);
      acknowledged.push(response.body.message.seq);
    }

    await redis.stop();
    const probe = new HttpClient(api.baseUrl);
    await expectEventually(async () =>
      expect((await probe.get('/api/health/ready')).status).toBe(503),
    );
    // Liveness does not depend on Redis: the orchestrator must not restart a healthy process.
    expect((await probe.get('/api/health')).status).toBe(200);
    const duringOutage = await alice.post(messagesPath, {
      body: 'during',
      clientMessageId: 'during-1',
    });
    expect(duringOutage.status).toBe(503);
    expect(duringOutage.body.error).toBe('unavailable');

    await redis.start();
    await expectEventually(
      async () => expect((await probe.get('/api/health/ready')).status).toBe(200),
      {
        timeoutMs: 10_000,
      },
    );
    const retry = await alice.post(messagesPath, { body: 'during', clientMessageId: 'during-1' });
    expect(retry.status).toBe(201);
    expect(retry.body.message.seq).toBe(21);

    const page = await alice.get(`${messagesPath}?limit=100`);
    expect(page.body.messages.map((message: { seq: number }) => message.seq)).toEqual([
      ...acknowledged,
      21,
    ]);
  });
});
