import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectEventually, RedisCluster, RedisSentinelGroup } from '@chat/test-support';
import { redisKeys } from '../src/infra/redis/redis-keys';
import { type ApiInstance, startApi } from './support/api-instance';
import { type RedisTopologyHandle, startTopology } from './support/engines';
import { BK_1001_THREAD, DEMO } from './support/http-client';
import { postMessage, signIn, subscribe } from './support/realtime';

/** The data node that replicates the master holding the conversation's messages. */
async function replicaOfConversation(topology: RedisTopologyHandle): Promise<number> {
  if (topology.server instanceof RedisSentinelGroup) {
    const group = topology.server;
    const master = await group.masterPort();
    return group.servers.find((server) => server.port !== master && server.running)!.port;
  }
  const cluster = topology.server as RedisCluster;
  const master = await cluster.masterOf(await cluster.slotOf(redisKeys.messageLog(BK_1001_THREAD)));
  const replica = (await cluster.topology()).find((node) => node.masterId === master.id);
  return replica!.port;
}

/**
 * REDIS_MIN_REPLICAS_ACK: a post is acknowledged, shown and announced only once a replica has
 * it; without one it fails with 503 (and its retry completes it once a replica is back).
 */
describe.each(['sentinel', 'cluster'] as const)('REDIS_MIN_REPLICAS_ACK=1 on %s', (engineName) => {
  let topology: RedisTopologyHandle;
  let api: ApiInstance;

  beforeAll(async () => {
    topology = await startTopology(engineName);
  }, 60_000);
  afterAll(async () => {
    await topology?.dispose();
  });
  afterEach(async () => {
    await api?.close();
  });

  it('answers a post only once a replica has it, and shows nothing a replica lacks', async () => {
    api = await startApi({
      ...topology.environment,
      DEMO_SEED: 'true',
      REDIS_MIN_REPLICAS_ACK: '1',
      REDIS_REPLICA_ACK_TIMEOUT_MS: '300',
    });
    const alice = await signIn(api, DEMO.alice);
    const linh = await signIn(api, DEMO.linh);
    const socket = await linh.socket();
    await subscribe(socket, BK_1001_THREAD);

    const replicated = await postMessage(alice.http, BK_1001_THREAD, 'with a replica', 'ack-1');
    expect(replicated.status).toBe(201);
    await socket.next('message.new', (frame) => frame.data.message.body === 'with a replica');

    const replica = await replicaOfConversation(topology);
    const server =
      topology.server instanceof RedisSentinelGroup
        ? topology.server.server(replica)
        : (topology.server as RedisCluster).node(replica);
    await server.stop('SIGKILL');
    const refused = await postMessage(alice.http, BK_1001_THREAD, 'no replica', 'ack-2');
    expect(refused.status).toBe(503);
    // Appended on the master but not shown: neither read nor announced.
    const history = await linh.http.get(`/api/chat/conversations/${BK_1001_THREAD}/messages`);
    expect(history.body.messages.map((message: { body: string }) => message.body)).not.toContain(
      'no replica',
    );

    await server.start();
    if (topology.server instanceof RedisSentinelGroup) await topology.server.waitHealthy();
    else await (topology.server as RedisCluster).waitHealthy();
    // The client retries a 503; once a replica acknowledges within the timeout, it goes through.
    await expectEventually(async () =>
      expect((await postMessage(alice.http, BK_1001_THREAD, 'no replica', 'ack-2')).status).toBe(
        200,
      ),
    );
    const shown = await socket.next(
      'message.new',
      (frame) => frame.data.message.body === 'no replica',
    );
    expect(shown.data.message.seq).toBe(replicated.body.message.seq + 1);
    expect(socket.seqs(BK_1001_THREAD)).toEqual([
      replicated.body.message.seq,
      replicated.body.message.seq + 1,
    ]);
    await socket.close();
  });
});
