import { afterAll, describe, expect, it } from 'vitest';
import { answersPing, RedisServer } from './redis-server';

describe(RedisServer.name, () => {
  let redis: RedisServer | null = null;
  afterAll(async () => {
    await redis?.dispose();
  });

  it('runs a real redis-server on loopback, and starts it again on the same port after a kill', async () => {
    redis = await RedisServer.start();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await answersPing(redis.port)).toBe(true);
    await redis.stop('SIGKILL');
    expect(await answersPing(redis.port)).toBe(false);
    await redis.start();
    expect(await answersPing(redis.port)).toBe(true);
  });
});
