import { afterAll, describe, expect, it } from 'vitest';
import { answersPing, RedisServer } from './redis-server';

describe(RedisServer.name, () => {
  let redis: RedisServer | null = null;
  afterAll(async () => {
    await redis?.dispose();
  });

  it('runs a real redis-server on loopback, and starts it again on the same port after a kill', async () => {
    redis = await RedisServer.start();
    expect(await answersPing(redis.port, redis.password)).toBe(true);
    await redis.stop('SIGKILL');
    expect(await answersPing(redis.port, redis.password)).toBe(false);
    await redis.start();
    expect(await answersPing(redis.port, redis.password)).toBe(true);
  });

  it('asks for a password by default, as every shipped Redis does, and puts it in its URL', async () => {
    const server = await RedisServer.start({ durable: false });
    try {
      expect(server.password).toMatch(/^[0-9a-f]{32}$/);
      expect(server.url).toBe(`redis://:${server.password}@127.0.0.1:${server.port}`);
      expect(await answersPing(server.port)).toBe(false);
      expect(await answersPing(server.port, 'wrong-password')).toBe(false);
      expect(await answersPing(server.port, server.password)).toBe(true);
    } finally {
      await server.dispose();
    }
    const open = await RedisServer.start({ durable: false, password: null });
    try {
      expect(open.url).toBe(`redis://127.0.0.1:${open.port}`);
      expect(await answersPing(open.port)).toBe(true);
    } finally {
      await open.dispose();
    }
  });
});
