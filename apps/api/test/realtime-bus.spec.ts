import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectEventually, RedisCluster, RedisSentinelGroup } from '@chat/test-support';
import { loadConfig } from '../src/config/app-config';
import { MemoryBroker, MemoryRealtimeBus } from '../src/infra/realtime/memory-realtime-bus';
import { type RealtimeBus } from '../src/infra/realtime/realtime-bus';
import { RedisRealtimeBus } from '../src/infra/realtime/redis-realtime-bus';
import { connectRedisClient, createRedisClient } from '../src/infra/redis/redis-client';
import { RedisConnections } from '../src/infra/redis/redis-connections';
import { redisChannels } from '../src/infra/redis/redis-keys';
import { ENGINES, type RedisTopologyHandle, startTopology } from './support/engines';
import { RedisServer } from './support/redis-server';

interface Replica {
  bus: RealtimeBus;
  received: Array<{ room: string; payload: Buffer }>;
}

/** A room whose channel hashes to `slot`'s master, found by trying names. */
async function roomOnMaster(cluster: RedisCluster, port: number, prefix: string): Promise<string> {
  for (let index = 0; ; index++) {
    const room = `${prefix}:${index}`;
    if ((await cluster.masterOf(await cluster.slotOf(redisChannels.room(room)))).port === port)
      return room;
  }
}

/** The bus contract, on the embedded engine and on Redis: two buses play two replicas. */
describe.each(ENGINES)('RealtimeBus contract on the %s engine', (engine) => {
  let topology: RedisTopologyHandle | null = null;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    if (engine !== 'memory') topology = await startTopology(engine);
  }, 60_000);
  afterAll(async () => {
    await topology?.dispose();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function replicas(count: number): Promise<Replica[]> {
    const broker = new MemoryBroker();
    const result: Replica[] = [];
    for (let index = 0; index < count; index++) {
      let bus: RealtimeBus;
      if (topology) {
        const config = loadConfig({ ...topology.environment, LOG_LEVEL: 'silent' });
        const publisher = createRedisClient(config.redis!, 'bus-test');
        await connectRedisClient(publisher);
        const redisBus = new RedisRealtimeBus(publisher, new RedisConnections());
        await redisBus.connect();
        cleanups.push(async () => {
          await redisBus.close();
          publisher.disconnect();
        });
        bus = redisBus;
      } else {
        const memoryBus = new MemoryRealtimeBus(broker);
        cleanups.push(() => memoryBus.close());
        bus = memoryBus;
      }
      const replica: Replica = { bus, received: [] };
      bus.setHandler((room, payload) => replica.received.push({ room, payload }));
      result.push(replica);
    }
    return result;
  }

  const publish = (replica: Replica, room: string, body: string) =>
    replica.bus.publish(room, Buffer.from(body));
  const bodies = (replica: Replica) => replica.received.map((item) => item.payload.toString());

  it('delivers a room only to the replicas subscribed to it, the publisher included', async () => {
    const [one, two, three] = await replicas(3);
    await one!.bus.subscribe('conversation:1');
    await two!.bus.subscribe('conversation:1');
    await three!.bus.subscribe('conversation:2');
    await publish(two!, 'conversation:1', 'first');
    await publish(three!, 'conversation:2', 'second');
    await expectEventually(() => {
      expect(bodies(one!)).toEqual(['first']);
      expect(bodies(two!)).toEqual(['first']);
      expect(bodies(three!)).toEqual(['second']);
    });
    expect(one!.received[0]!.room).toBe('conversation:1');
    expect(one!.bus.subscribedRooms()).toEqual(['conversation:1']);
  });

  it('keeps the publication order of one publisher', async () => {
    const [one, two] = await replicas(2);
    await one!.bus.subscribe('room');
    await Promise.all(Array.from({ length: 50 }, (_, index) => publish(two!, 'room', `m${index}`)));
    await expectEventually(() => expect(bodies(one!)).toHaveLength(50));
    expect(bodies(one!)).toEqual(Array.from({ length: 50 }, (_, index) => `m${index}`));
  });

  it('carries payloads as opaque bytes, newlines and any UTF-8 included', async () => {
    const [one, two] = await replicas(2);
    await one!.bus.subscribe('room');
    const payload = Buffer.from('{"kind":"x"}\n{"body":"Xin chào, สวัสดี 👋"}\n');
    await two!.bus.publish('room', payload);
    await expectEventually(() => expect(one!.received).toHaveLength(1));
    expect(one!.received[0]!.payload.equals(payload)).toBe(true);
  });

  it('stops delivering after unsubscribe', async () => {
    const [one, two] = await replicas(2);
    await one!.bus.subscribe('room');
    await one!.bus.subscribe('other');
    await one!.bus.unsubscribe('room');
    await publish(two!, 'room', 'dropped');
    await publish(two!, 'other', 'kept');
    await expectEventually(() => expect(bodies(one!)).toEqual(['kept']));
    expect(one!.bus.subscribedRooms()).toEqual(['other']);
  });

  it.runIf(engine === 'redis')('subscribes again after Redis restarts, and says so', async () => {
    const redis = topology!.server as RedisServer;
    const [one, two] = await replicas(2);
    let recovered = 0;
    one!.bus.onRecovered(() => recovered++);
    await one!.bus.subscribe('room');
    await redis.stop();
    await redis.start();
    await expectEventually(() => expect(recovered).toBe(1), { timeoutMs: 10_000 });
    await deliveredAgain(two!, one!, 'room');
  });

  it.runIf(engine === 'sentinel')(
    'follows the master the sentinels promote after the old one is killed, and says so',
    async () => {
      const group = topology!.server as RedisSentinelGroup;
      const [one, two] = await replicas(2);
      let recovered = 0;
      one!.bus.onRecovered(() => recovered++);
      await one!.bus.subscribe('room');
      const old = await group.masterPort();
      await group.kill(old);
      await group.waitHealthy();
      expect(await group.masterPort()).not.toBe(old);
      await expectEventually(() => expect(recovered).toBeGreaterThanOrEqual(1), {
        timeoutMs: 10_000,
      });
      await deliveredAgain(two!, one!, 'room');
    },
  );

  it.runIf(engine === 'cluster')(
    'holds each room on the master of its slot, moves it when the slot moves, and says so',
    async () => {
      const cluster = topology!.server as RedisCluster;
      const [one, two] = await replicas(2);
      const masters = await cluster.masters();
      const rooms = await Promise.all(
        masters.map((master, index) => roomOnMaster(cluster, master.port, `room${index}`)),
      );
      for (const room of rooms) await one!.bus.subscribe(room);
      const nodes = (one!.bus as RedisRealtimeBus).subscriptionNodes();
      expect(rooms.map((room) => nodes.get(room))).toEqual(
        masters.map((master) => `127.0.0.1:${master.port}`),
      );
      let recovered = 0;
      one!.bus.onRecovered(() => recovered++);
      const moved = rooms[0]!;
      const target = masters[1]!.port;
      await cluster.moveSlot(await cluster.slotOf(redisChannels.room(moved)), target);
      await expectEventually(
        () => {
          expect((one!.bus as RedisRealtimeBus).subscriptionNodes().get(moved)).toBe(
            `127.0.0.1:${target}`,
          );
          expect(recovered).toBeGreaterThanOrEqual(1);
        },
        { timeoutMs: 10_000 },
      );
      for (const room of rooms) await deliveredAgain(two!, one!, room);
    },
  );

  it.runIf(engine === 'cluster')(
    'follows a replica promoted after its master is killed, and says so',
    async () => {
      const cluster = topology!.server as RedisCluster;
      const [one, two] = await replicas(2);
      const victim = (await cluster.masters())[2]!;
      const room = await roomOnMaster(cluster, victim.port, 'failover');
      await one!.bus.subscribe(room);
      let recovered = 0;
      one!.bus.onRecovered(() => recovered++);
      await cluster.kill(victim.port);
      await cluster.waitHealthy();
      await expectEventually(() => expect(recovered).toBeGreaterThanOrEqual(1), {
        timeoutMs: 10_000,
      });
      await deliveredAgain(two!, one!, room);
    },
  );
});

/** Publishes on `from` until `to` receives it (the subscription is back). */
async function deliveredAgain(from: Replica, to: Replica, room: string): Promise<void> {
  const body = `again ${room} ${Math.random()}`;
  await expectEventually(
    async () => {
      await from.bus.publish(room, Buffer.from(body)).catch(() => undefined);
      expect(to.received.map((item) => item.payload.toString())).toContain(body);
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );
}
