import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBroker, MemoryRealtimeBus } from '../src/infra/realtime/memory-realtime-bus';
import { type RealtimeBus } from '../src/infra/realtime/realtime-bus';
import { RedisRealtimeBus } from '../src/infra/realtime/redis-realtime-bus';
import { ENGINES } from './support/engines';
import { expectEventually } from '@chat/test-support';
import { RedisServer } from './support/redis-server';

interface Replica {
  bus: RealtimeBus;
  received: Array<{ room: string; payload: Buffer }>;
}

/** The bus contract, on the embedded engine and on Redis: two buses play two replicas. */
describe.each(ENGINES)('RealtimeBus contract on the %s engine', (engine) => {
  let redis: RedisServer | null = null;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    if (engine === 'redis') redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function replicas(count: number): Promise<Replica[]> {
    const broker = new MemoryBroker();
    const result: Replica[] = [];
    for (let index = 0; index < count; index++) {
      let bus: RealtimeBus;
      if (redis) {
        const publisher = new Redis(redis.url, { lazyConnect: true });
        publisher.on('error', () => undefined);
        await publisher.connect();
        const redisBus = new RedisRealtimeBus(publisher);
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
    const [one, two] = await replicas(2);
    let recovered = 0;
    one!.bus.onRecovered(() => recovered++);
    await one!.bus.subscribe('room');
    await redis!.stop();
    await redis!.start();
    await expectEventually(() => expect(recovered).toBe(1), { timeoutMs: 10_000 });
    await expectEventually(
      async () => {
        await publish(two!, 'room', 'after restart');
        expect(bodies(one!)).toContain('after restart');
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  });
});
