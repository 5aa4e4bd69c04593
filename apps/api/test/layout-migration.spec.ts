import { readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisServer } from '@chat/test-support';
import { ConversationIndexer } from '../src/modules/chat/conversation-indexer';
import { type ApiInstance, startApi } from './support/api-instance';
import { DEMO, HttpClient } from './support/http-client';
import { platformState } from './support/platform-state';

/**
 * `test/fixtures/layout-v1/dump.rdb` was written by the API before the inbox indexes existed:
 * the demo data, a booking BK-1002 (alice, vu), and a short history in three threads with two
 * read markers. The new API indexes it once at boot and serves it as if it had written it.
 */
const SNAPSHOT = path.join(__dirname, 'fixtures/layout-v1/dump.rdb');

describe('a Redis written by the previous layout', () => {
  let redis: RedisServer | null = null;
  let api: ApiInstance | null = null;

  afterEach(async () => {
    await api?.close();
    await redis?.dispose();
  });

  const as = async (email: string) => {
    const client = new HttpClient(api!.baseUrl);
    await client.login(email);
    return client;
  };

  const state = async () => {
    const alice = await as(DEMO.alice);
    const linh = await as(DEMO.linh);
    const bob = await as(DEMO.bob);
    const somchai = await as(DEMO.somchai);
    const ids = async (client: HttpClient, query = '') =>
      (await client.get(`/api/chat/conversations${query}`)).body.conversations.map(
        (item: { id: string }) => item.id,
      );
    return {
      aliceThreads: await ids(alice),
      linhAll: await ids(linh, '?scope=all'),
      linhSearch: await ids(linh, '?scope=all&q=bk-100'),
      unread: await Promise.all(
        [alice, linh, bob, somchai].map(
          async (client) => (await client.get('/api/chat/unread')).body,
        ),
      ),
    };
  };

  it('is indexed once at boot, keeps its order and true unread, and goes on from there', async () => {
    redis = await RedisServer.start({ snapshot: SNAPSHOT });
    api = await startApi({ REDIS_URL: redis.url, DEMO_SEED: 'false' });
    const first = await state();
    expect(first).toEqual({
      // The most recent activity first: vu's message in BK-1002 came last.
      aliceThreads: ['th_bk_1002', 'th_bk_1001'],
      linhAll: ['th_bk_1002', 'th_bk_1001'],
      linhSearch: ['th_bk_1002', 'th_bk_1001'],
      unread: [
        { total: 2, conversations: { th_bk_1002: 1, th_bk_1001: 1 }, hasMore: false },
        { total: 1, conversations: { th_bk_1001: 1 }, hasMore: false },
        { total: 0, conversations: {}, hasMore: false },
        { total: 1, conversations: { th_bk_2001: 1 }, hasMore: false },
      ],
    });
    const probe = new Redis(redis.url);
    expect(await probe.hgetall('chat:layout')).toEqual({ version: '3', migrated: '3' });
    probe.disconnect();

    // Indexing again changes nothing, and neither does the next boot.
    await api.app.get(ConversationIndexer).indexAll();
    expect(await state()).toEqual(first);
    await api.close();
    api = await startApi({ REDIS_URL: redis.url, DEMO_SEED: 'false' });
    expect(await state()).toEqual(first);

    // New messages go on from the old history.
    const linh = await as(DEMO.linh);
    const posted = await linh.post('/api/chat/conversations/th_bk_1001/messages', {
      body: 'Anything else?',
      clientMessageId: 'after-migration',
    });
    expect(posted.body.message.seq).toBe(5);
    const after = await state();
    expect(after.aliceThreads).toEqual(['th_bk_1001', 'th_bk_1002']);
    expect(after.unread[0]).toEqual({
      total: 3,
      conversations: { th_bk_1002: 1, th_bk_1001: 2 },
      hasMore: false,
    });
  });
});

/**
 * `test/fixtures/layout-v2/dump.rdb` was written by the API of the inbox indexes, before the
 * hash-tagged layout (decision 0019): the demo data with DEMO_HISTORY (forty bookings, their
 * threads, unread states and bell notifications) and a few more messages and reads.
 * `served.json` is what that API served its users from it; this API, once it has migrated the
 * snapshot at boot, must serve the same.
 */
describe('a Redis written before the hash-tagged layout', () => {
  const fixture = path.join(__dirname, 'fixtures/layout-v2');
  let redis: RedisServer | null = null;
  let api: ApiInstance | null = null;

  afterEach(async () => {
    await api?.close();
    await redis?.dispose();
  });

  it('is moved to the new layout at boot and serves what the previous API served', async () => {
    redis = await RedisServer.start({ snapshot: path.join(fixture, 'dump.rdb') });
    api = await startApi({ REDIS_URL: redis.url, DEMO_SEED: 'false' });
    const served = JSON.parse(readFileSync(path.join(fixture, 'served.json'), 'utf8')) as unknown;
    expect(await platformState(api.baseUrl)).toEqual(served);
    const probe = new Redis(redis.url);
    try {
      expect(await probe.hgetall('chat:layout')).toEqual({ version: '3', migrated: '3' });
      // Nothing is left under the old names but the sessions, bookings and the set of threads.
      const leftovers = (await probe.keys('chat:*')).filter(
        (key) =>
          !key.startsWith('chat:{') &&
          !/^chat:(session|booking|presence|rate|layout|conversations$)/.test(key),
      );
      expect(leftovers).toEqual([]);
    } finally {
      probe.disconnect();
    }
    // A second boot changes nothing.
    await api.close();
    api = await startApi({ REDIS_URL: redis.url, DEMO_SEED: 'false' });
    expect(await platformState(api.baseUrl)).toEqual(served);
  });
});
