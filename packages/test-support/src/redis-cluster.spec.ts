import { afterAll, describe, expect, it } from 'vitest';
import { redisCli } from './redis-cli';
import { RedisCluster } from './redis-cluster';

describe(RedisCluster.name, () => {
  let cluster: RedisCluster | null = null;
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('runs a cluster on loopback, moves a slot, and reads each shard’s commands and CPU', async () => {
    cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 0, durable: false });
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    const slot = await cluster.slotOf('chat:{probe}:key');
    const owner = await cluster.masterOf(slot);
    const before = await cluster.shardStats();
    await redisCli(owner.port, cluster.password, ['SET', 'chat:{probe}:key', 'x']);
    const after = await cluster.shardStats();
    for (const shard of after) {
      const was = before.find((candidate) => candidate.port === shard.port)!;
      const sets = (shard.commands.set ?? 0) - (was.commands.set ?? 0);
      expect(sets, `SETs on ${shard.port}`).toBe(shard.port === owner.port ? 1 : 0);
      expect(shard.cpuSeconds).toBeGreaterThanOrEqual(was.cpuSeconds);
      expect(shard.pid).toBeGreaterThan(0);
    }
    expect(after.reduce((sum, shard) => sum + shard.slots, 0)).toBe(16_384);

    const target = masters.find((master) => master.port !== owner.port)!;
    await cluster.moveSlot(slot, target.port);
    expect((await cluster.masterOf(slot)).port).toBe(target.port);
    expect(await redisCli(target.port, cluster.password, ['GET', 'chat:{probe}:key'])).toBe('x\n');
  });
});
