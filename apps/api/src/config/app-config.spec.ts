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
      redis: { url: 'redis://:pw@cache:6380/0' },
      demoSeed: false,
    });
    expect(loadConfig({ REDIS_HOST: 'cache', REDIS_PASSWORD: 'secret' })).toMatchObject({
      engine: 'redis',
      redis: { host: 'cache', port: 6379, password: 'secret' },
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
      REDIS_URL: 'redis://cache:6379',
      ALLOWED_ORIGINS: 'https://chat.example.com',
    });
    expect(sut).toMatchObject({
      secureCookies: true,
      allowedOrigins: ['https://chat.example.com'],
    });
  });
});
