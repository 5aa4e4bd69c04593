import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config';

describe(loadConfig.name, () => {
  it('runs on the embedded engine with demo data when nothing is configured', () => {
    const sut = loadConfig({});
    expect(sut).toMatchObject({
      port: 3002,
      engine: 'memory',
      redis: null,
      demoSeed: true,
      allowedOrigins: ['http://localhost:3100'],
      internalApiToken: null,
      presenceTtlSeconds: 30,
      typingTtlSeconds: 6,
      wsHeartbeatMs: 25_000,
      secureCookies: false,
    });
  });

  it('prefers REDIS_URL over REDIS_HOST and turns the demo seed off with Redis', () => {
    expect(
      loadConfig({ REDIS_URL: 'redis://:pw@cache:6380/0', REDIS_HOST: 'other' }),
    ).toMatchObject({
      engine: 'redis',
      redis: { mode: 'single', url: 'redis://:pw@cache:6380/0' },
      demoSeed: false,
    });
    expect(loadConfig({ REDIS_HOST: 'cache', REDIS_PASSWORD: 'secret' })).toMatchObject({
      engine: 'redis',
      redis: { mode: 'single', host: 'cache', port: 6379, password: 'secret' },
    });
    expect(loadConfig({ REDIS_HOST: 'cache', DEMO_SEED: 'true' }).demoSeed).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ REDIS_URL: '', REDIS_HOST: '', INTERNAL_API_TOKEN: '' })).toMatchObject({
      engine: 'memory',
      internalApiToken: null,
    });
  });

  it('reads flags by their words, not their truthiness', () => {
    expect(loadConfig({ DEMO_SEED: 'false' }).demoSeed).toBe(false);
    expect(loadConfig({ DEMO_SEED: '0' }).demoSeed).toBe(false);
    expect(() => loadConfig({ DEMO_SEED: 'off-ish' })).toThrow(ConfigError);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://cache',
        ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/path',
        INTERNAL_API_TOKEN: 'short',
        WS_HEARTBEAT_MS: '5',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((problem) => problem.split(':')[0]);
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT',
        'REDIS_URL',
        'ALLOWED_ORIGINS.1',
        'INTERNAL_API_TOKEN',
        'WS_HEARTBEAT_MS',
      ]),
    );
  });

  it('refuses the embedded engine and a missing origin list in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /REDIS_URL.*production[\s\S]*ALLOWED_ORIGINS/,
    );
    const sut = loadConfig({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://:secret@cache:6379',
      ALLOWED_ORIGINS: 'https://chat.example.com',
    });
    expect(sut).toMatchObject({
      secureCookies: true,
      allowedOrigins: ['https://chat.example.com'],
    });
  });

  const production = {
    NODE_ENV: 'production',
    ALLOWED_ORIGINS: 'https://chat.example.com',
  };

  it('refuses a Redis without a password in production, which would hand out its sessions', () => {
    expect(() => loadConfig({ ...production, REDIS_URL: 'redis://cache:6379' })).toThrow(
      /REDIS_URL: Redis holds the sessions/,
    );
    expect(() => loadConfig({ ...production, REDIS_HOST: 'cache' })).toThrow(/password/);
    expect(loadConfig({ ...production, REDIS_URL: 'rediss://chat:pw@cache:6380' }).engine).toBe(
      'redis',
    );
    expect(
      loadConfig({ ...production, REDIS_HOST: 'cache', REDIS_PASSWORD: 'pw' }).redis,
    ).toMatchObject({ password: 'pw' });
    // Outside production a local Redis without a password stays fine.
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).engine).toBe('redis');
  });

  it('refuses the demo seed in production: its accounts share a published password', () => {
    expect(() =>
      loadConfig({ ...production, REDIS_URL: 'redis://:pw@cache:6379', DEMO_SEED: 'true' }),
    ).toThrow(/DEMO_SEED: is refused when NODE_ENV=production/);
    expect(
      loadConfig({ ...production, REDIS_URL: 'redis://:pw@cache:6379', DEMO_SEED: 'false' })
        .demoSeed,
    ).toBe(false);
  });

  it('trusts forwarding headers from the loopback only, unless told whom to trust', () => {
    expect(loadConfig({}).trustedProxies).toEqual({ addresses: ['loopback'] });
    expect(loadConfig({ TRUSTED_PROXIES: '2' }).trustedProxies).toEqual({ hops: 2 });
    expect(
      loadConfig({ TRUSTED_PROXIES: '10.0.1.0/24, uniquelocal ,192.0.2.7' }).trustedProxies,
    ).toEqual({ addresses: ['10.0.1.0/24', 'uniquelocal', '192.0.2.7'] });
    expect(() => loadConfig({ TRUSTED_PROXIES: 'traefik' })).toThrow(/TRUSTED_PROXIES: /);
    expect(() => loadConfig({ TRUSTED_PROXY_SECRET: 'short' })).toThrow(/TRUSTED_PROXY_SECRET/);
  });

  it('keeps metrics on their own loopback port unless told otherwise', () => {
    expect(loadConfig({}).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_HOST: 'chat-api-metrics', METRICS_PORT: '0' }).metrics).toEqual({
      host: 'chat-api-metrics',
      port: 0,
    });
  });

  it('ends sessions after an idle period and an absolute lifetime, idle no longer than absolute', () => {
    expect(loadConfig({})).toMatchObject({
      sessionTtlSeconds: 30 * 24 * 3600,
      sessionIdleTimeoutSeconds: 7 * 24 * 3600,
      loginRatePerAccount: 10,
    });
    expect(() =>
      loadConfig({ SESSION_TTL_SECONDS: '3600', SESSION_IDLE_TIMEOUT_SECONDS: '7200' }),
    ).toThrow(/SESSION_IDLE_TIMEOUT_SECONDS: must not be longer than SESSION_TTL_SECONDS/);
  });
  describe('Redis modes', () => {
    const problemsOf = (environment: Record<string, string>): string[] => {
      try {
        loadConfig(environment);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };

    it('reaches a master through Sentinel, with credentials for the nodes and for the sentinels', () => {
      expect(
        loadConfig({
          REDIS_SENTINELS: 'sentinel-1:26379, sentinel-2:26379,[::1]:26380',
          REDIS_SENTINEL_MASTER: 'chat',
          REDIS_USERNAME: 'chat-api',
          REDIS_PASSWORD: 'data-secret',
          REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        }),
      ).toMatchObject({
        engine: 'redis',
        redis: {
          mode: 'sentinel',
          sentinels: [
            { host: 'sentinel-1', port: 26379 },
            { host: 'sentinel-2', port: 26379 },
            { host: '::1', port: 26380 },
          ],
          masterName: 'chat',
          username: 'chat-api',
          password: 'data-secret',
          sentinelPassword: 'sentinel-secret',
        },
        replicaAck: { replicas: 0, timeoutMs: 1_000 },
      });
    });

    it('reaches a Cluster from some of its nodes, and waits for replicas when told', () => {
      expect(
        loadConfig({
          REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379',
          REDIS_PASSWORD: 'secret',
          REDIS_MIN_REPLICAS_ACK: '1',
          REDIS_REPLICA_ACK_TIMEOUT_MS: '500',
        }),
      ).toMatchObject({
        engine: 'redis',
        redis: {
          mode: 'cluster',
          nodes: [
            { host: 'redis-0', port: 6379 },
            { host: 'redis-1', port: 6379 },
          ],
          password: 'secret',
        },
        replicaAck: { replicas: 1, timeoutMs: 500 },
      });
    });

    it('lists every problem with the modes at once', () => {
      const problems = problemsOf({
        REDIS_URL: 'redis://cache:6379',
        REDIS_CLUSTER_NODES: 'node-1:6379,no-port, node-3:99999',
        REDIS_SENTINEL_PASSWORD: 'x',
        REDIS_USERNAME: 'alone',
        REDIS_MIN_REPLICAS_ACK: '-1',
        REDIS_REPLICA_ACK_TIMEOUT_MS: '10000',
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^REDIS_CLUSTER_NODES: "no-port" is not host:port/),
          expect.stringMatching(/^REDIS_CLUSTER_NODES: "node-3:99999" is not host:port/),
          expect.stringMatching(/^REDIS_URL: choose one way to reach Redis.*single, cluster/),
          expect.stringMatching(/^REDIS_SENTINEL_PASSWORD: only applies with REDIS_SENTINELS/),
          expect.stringMatching(/^REDIS_PASSWORD: is required with REDIS_USERNAME/),
          expect.stringMatching(/^REDIS_MIN_REPLICAS_ACK:/),
          expect.stringMatching(/^REDIS_REPLICA_ACK_TIMEOUT_MS:/),
        ]),
      );
      expect(problemsOf({ REDIS_SENTINELS: 'a:26379' })).toEqual([
        expect.stringMatching(/^REDIS_SENTINEL_MASTER: is required with REDIS_SENTINELS/),
      ]);
      expect(problemsOf({ REDIS_SENTINEL_MASTER: 'chat' })).toEqual([
        expect.stringMatching(/^REDIS_SENTINELS: is required with REDIS_SENTINEL_MASTER/),
      ]);
      expect(problemsOf({ REDIS_MIN_REPLICAS_ACK: '1' })).toEqual([
        expect.stringMatching(/^REDIS_MIN_REPLICAS_ACK: only applies with Redis/),
      ]);
      expect(problemsOf({ REDIS_CLUSTER_NODES: ' , ' })).toEqual([
        expect.stringMatching(/^REDIS_CLUSTER_NODES: lists no host:port/),
      ]);
    });

    it('takes Sentinel or Cluster in production, with passwords for the nodes and the sentinels', () => {
      const production = { NODE_ENV: 'production', ALLOWED_ORIGINS: 'https://chat.example.com' };
      const sentinel = { REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_MASTER: 'chat' };
      expect(
        loadConfig({
          ...production,
          ...sentinel,
          REDIS_PASSWORD: 'pw',
          REDIS_SENTINEL_PASSWORD: 'spw',
        }).engine,
      ).toBe('redis');
      expect(problemsOf({ ...production, ...sentinel })).toEqual([
        expect.stringMatching(/^REDIS_PASSWORD: Redis holds the sessions/),
        expect.stringMatching(/^REDIS_SENTINEL_PASSWORD: when NODE_ENV=production/),
      ]);
      expect(
        loadConfig({ ...production, REDIS_CLUSTER_NODES: 'n:6379', REDIS_PASSWORD: 'pw' }).engine,
      ).toBe('redis');
      expect(problemsOf({ ...production, REDIS_CLUSTER_NODES: 'n:6379' })).toEqual([
        expect.stringMatching(/^REDIS_PASSWORD: Redis holds the sessions/),
      ]);
    });
  });
});
