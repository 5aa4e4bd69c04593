import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKeyOf } from '../../src/modules/auth/sessions.service';
import { redisEnvironment, spawnApi } from '../support/api-process';
import { HttpClient } from '../support/http-client';
import { RedisServer } from '../support/redis-server';
import { record } from './support/results';

const PRODUCTION = {
  NODE_ENV: 'production',
  ALLOWED_ORIGINS: 'https://chat.example.com',
  LOG_LEVEL: 'warn',
};

/** A client that gives no credentials, as anyone who reaches the port would. */
function anonymousClient(port: number): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  return client;
}

describe('production refuses an open Redis and the demo accounts', () => {
  let open: RedisServer;
  let guarded: RedisServer;

  beforeAll(async () => {
    [open, guarded] = await Promise.all([
      RedisServer.start({ durable: false, password: null }),
      RedisServer.start({ durable: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.dispose(), guarded?.dispose()]);
  });

  it('refuses to start where Redis would hand out admin sessions, or with the demo accounts', async () => {
    // What an open Redis gives away: one SET, and the caller is signed in as the admin.
    const victim = await spawnApi(redisEnvironment(open.url));
    const intruder = anonymousClient(open.port);
    const forgedId = 'forged-session-id-from-the-network';
    const now = Date.now();
    await intruder.set(
      `chat:session:${sessionKeyOf(forgedId)}`,
      JSON.stringify({
        userId: 'u_grace',
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 3_600_000).toISOString(),
        touchedAt: new Date(now).toISOString(),
      }),
    );
    const forged = new HttpClient(victim.baseUrl);
    forged.sessionCookie = `sid=${forgedId}`;
    const forgedMe = await forged.get('/api/auth/me');
    intruder.disconnect();
    await victim.stop();

    // The shipped Redis asks for a password: the same intruder gets nothing.
    const locked = anonymousClient(guarded.port);
    const refusals: string[] = [];
    for (const command of [
      () => locked.set('chat:session:x', '{}'),
      () => locked.get('chat:user:u_grace'),
      () => locked.keys('*'),
    ]) {
      refusals.push(
        await command().then(
          () => 'answered',
          (error: Error) => error.message.split(' ')[0]!,
        ),
      );
    }
    locked.disconnect();

    // Production against such an open Redis, or set up unsafely, does not start at all.
    const refusedAt = Date.now();
    const unsafe: Record<string, string>[] = [
      { REDIS_URL: `redis://:a-password-it-ignores@127.0.0.1:${open.port}` },
      { REDIS_URL: `redis://127.0.0.1:${guarded.port}` },
      { REDIS_URL: guarded.url, DEMO_SEED: 'true' },
    ];
    const starts = await Promise.all(
      unsafe.map(async (environment) => {
        const api = await spawnApi({ ...PRODUCTION, ...environment }, { waitReady: false });
        const code = await api.exited;
        return { code, output: api.output() };
      }),
    );
    const refusedWithinMs = Date.now() - refusedAt;
    const safe = await spawnApi({ ...PRODUCTION, REDIS_URL: guarded.url });
    const safeHealth = (await new HttpClient(safe.baseUrl).get('/api/health')).status;
    await safe.stop();

    const reasons = [
      /Redis answers clients without a password/,
      /REDIS_URL: Redis holds the sessions/,
      /DEMO_SEED: is refused when NODE_ENV=production/,
    ];
    record('production-config', {
      tried:
        'an open redis-server (no requirepass) under an API: a client with no credentials writes one session record for grace (admin); the same client against the shipped, password-protected Redis; then NODE_ENV=production against the open Redis (a password in the URL that it ignores), with a REDIS_URL without a password, and with DEMO_SEED=true',
      amount:
        '1 forged session; 3 commands without credentials; 3 unsafe production starts and 1 safe one',
      result: `on the open Redis the forged session answered /auth/me ${forgedMe.status} as ${forgedMe.body?.user?.role ?? 'nobody'}; the protected Redis answered ${refusals.join(', ')}; the 3 unsafe production starts exited with ${starts.map((start) => start.code).join(', ')} within ${refusedWithinMs} ms, each naming its reason; the safe one answered /api/health ${safeHealth}`,
      figures: {
        forgedStatus: forgedMe.status,
        refusals: refusals.join(','),
        unsafeExitCodes: starts.map((start) => start.code).join(','),
        refusedWithinMs,
        safeHealth,
      },
    });
    // The test itself shows why: the open Redis does hand out the admin.
    expect(forgedMe.status).toBe(200);
    expect(forgedMe.body.user.role).toBe('admin');
    expect(refusals).toEqual(['NOAUTH', 'NOAUTH', 'NOAUTH']);
    starts.forEach((start, index) => {
      expect(start.code).toBe(1);
      expect(start.output).toMatch(reasons[index]!);
    });
    expect(safeHealth).toBe(200);
  });
});
