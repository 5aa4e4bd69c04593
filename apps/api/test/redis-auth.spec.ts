import { afterEach, describe, expect, it } from 'vitest';
import { RedisCluster, RedisSentinelGroup } from '@chat/test-support';
import { loadConfig } from '../src/config/app-config';
import { assertRedisAsksForPassword } from '../src/infra/redis/redis.module';
import { clusterEnvironment, sentinelEnvironment } from './support/engines';

/** In production the API refuses a Redis that answers without a password, in every mode. */
describe(assertRedisAsksForPassword.name, () => {
  const disposals: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const dispose of disposals.splice(0)) await dispose();
  });

  const sentinelGroup = async (options: {
    password: string | null;
    sentinelPassword: string | null;
  }) => {
    const group = await RedisSentinelGroup.start({ replicas: 0, sentinels: 1, ...options });
    disposals.push(() => group.dispose());
    return loadConfig(sentinelEnvironment(group)).redis!;
  };

  it('refuses open sentinels, and open nodes behind guarded sentinels; takes both guarded', async () => {
    await expect(
      assertRedisAsksForPassword(await sentinelGroup({ password: 'data', sentinelPassword: null })),
    ).rejects.toThrow(/The sentinels answer clients without a password/);
    await expect(
      assertRedisAsksForPassword(
        await sentinelGroup({ password: null, sentinelPassword: 'watch' }),
      ),
    ).rejects.toThrow(/The Redis nodes answer clients without a password/);
    await expect(
      assertRedisAsksForPassword(
        await sentinelGroup({ password: 'data', sentinelPassword: 'watch' }),
      ),
    ).resolves.toBeUndefined();
  });

  it('refuses an open Cluster and takes a guarded one', async () => {
    const open = await RedisCluster.start({ masters: 3, replicasPerMaster: 0, password: null });
    disposals.push(() => open.dispose());
    await expect(
      assertRedisAsksForPassword(loadConfig(clusterEnvironment(open)).redis!),
    ).rejects.toThrow(/The Redis nodes answer clients without a password/);
    const guarded = await RedisCluster.start({ masters: 3, replicasPerMaster: 0 });
    disposals.push(() => guarded.dispose());
    await expect(
      assertRedisAsksForPassword(loadConfig(clusterEnvironment(guarded)).redis!),
    ).resolves.toBeUndefined();
  });
});
