import { afterAll, beforeAll } from 'vitest';
import { RedisServer } from './redis-server';

export type EngineName = 'memory' | 'redis';
export const ENGINES: EngineName[] = ['memory', 'redis'];

/**
 * Per engine, the environment that selects it. The Redis engine gets a real redis-server
 * started by this suite and flushed between tests by the caller.
 */
export function useEngine(engine: EngineName) {
  let redis: RedisServer | null = null;
  const handle = {
    get redis(): RedisServer | null {
      return redis;
    },
    environment(): Record<string, string> {
      return engine === 'redis' && redis ? { REDIS_URL: redis.url, DEMO_SEED: 'true' } : {};
    },
    async reset(): Promise<void> {
      if (!redis) return;
      const client = redis.client();
      await client.flushall();
      client.disconnect();
    },
  };
  beforeAll(async () => {
    if (engine === 'redis') redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  return handle;
}
