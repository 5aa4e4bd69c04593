import { expectEventually } from '@chat/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, spawnApi } from './support/api-process';
import { BK_1001_THREAD, DEMO, HttpClient } from './support/http-client';
import { RedisServer } from './support/redis-server';

interface LogLine {
  level: number;
  msg: string;
  context?: string;
  req?: { method: string; path: string };
}

const DEBUG = 20;
const INTERNAL_TOKEN = 'process-test-token-0123';
const ROUTE_TABLE_LINE = /Mapped \{\/api\/auth\/login, POST\} route/;
// Nest's narration of a start: one line per module and one per route.
const BOOT_DETAIL_CONTEXTS = ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer'];

function jsonLines(output: string): LogLine[] {
  return output
    .trim()
    .split('\n')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

/**
 * Requests that carry every kind of secret (a password, a session id in a cookie and in a
 * bearer header, a message body, a query string); returns those secrets.
 */
async function requestsWithSecrets(api: ApiProcess): Promise<string[]> {
  const client = new HttpClient(api.baseUrl);
  const user = await client.login(DEMO.alice);
  expect(user.handle).toBe('alice');
  const sessionId = client.sessionCookie!.slice('sid='.length);
  const secretBody = 'the-secret-body-of-a-message-4711';
  const posted = await client.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
    body: secretBody,
    clientMessageId: `process-${Date.now()}`,
  });
  expect(posted.status).toBe(201);
  const me = await client.get('/api/auth/me?token=query-string-secret-0042', {
    authorization: `Bearer ${sessionId}`,
  });
  expect(me.status).toBe(200);
  const wrong = await client.post('/api/auth/login', {
    email: DEMO.bob,
    password: 'wrong-password-0815',
  });
  expect(wrong.status).toBe(401);
  await client.post('/api/auth/logout');
  return [
    'demo1234',
    'wrong-password-0815',
    sessionId,
    secretBody,
    'query-string-secret-0042',
    INTERNAL_TOKEN,
  ];
}

/** The process's output once it has logged `pattern` (a request is logged after its answer). */
async function outputOnceLogged(api: ApiProcess, pattern: RegExp): Promise<string> {
  return expectEventually(() => {
    expect(api.output()).toMatch(pattern);
    return api.output();
  });
}

describe('the API process (node dist/main.js)', () => {
  it('starts with no configuration on the embedded engine with demo data, logs JSON lines when its output is not a terminal, and no secrets', async () => {
    const api = await spawnApi({ LOG_LEVEL: 'debug', INTERNAL_API_TOKEN: INTERNAL_TOKEN });
    try {
      const client = new HttpClient(api.baseUrl);
      expect((await client.get('/api/health')).body).toEqual({ status: 'ok', engine: 'memory' });
      const secrets = await requestsWithSecrets(api);
      const output = await outputOnceLogged(api, /POST \/api\/auth\/logout/);

      expect(output).toMatch(/embedded in-process engine/);
      for (const secret of secrets) expect(output).not.toContain(secret);
      const lines = jsonLines(output);
      // One line per request: method, path (no query) and status, nothing else of the request.
      const logins = lines.filter((line) => line.req?.path === '/api/auth/login');
      expect(logins.map((line) => line.msg)).toEqual([
        expect.stringMatching(/^POST \/api\/auth\/login 200 \d+ ms$/),
        expect.stringMatching(/^POST \/api\/auth\/login 401 \d+ ms$/),
      ]);
      expect(lines.find((line) => line.req?.path === '/api/auth/me')?.msg).toMatch(
        /^GET \/api\/auth\/me 200 \d+ ms$/,
      );
      // At debug, the route table is there, at debug level.
      const routes = lines.filter((line) => ROUTE_TABLE_LINE.test(line.msg));
      expect(routes).toHaveLength(1);
      expect(routes[0]!.level).toBe(DEBUG);
    } finally {
      await api.stop();
    }
  });

  it('starts in a few lines at the default level: the modules and the route table are left to debug', async () => {
    const api = await spawnApi({});
    try {
      await new HttpClient(api.baseUrl).get('/api/auth/me');
      const lines = jsonLines(await outputOnceLogged(api, /GET \/api\/auth\/me 401/));
      expect(lines.some((line) => line.msg.startsWith('listening on :'))).toBe(true);
      expect(lines.filter((line) => ROUTE_TABLE_LINE.test(line.msg))).toEqual([]);
      expect(lines.filter((line) => BOOT_DETAIL_CONTEXTS.includes(line.context ?? ''))).toEqual([]);
      // Demo data, the embedded-engine warning, listening, and the one request.
      expect(lines.length).toBeLessThanOrEqual(6);
    } finally {
      await api.stop();
    }
  });

  it('writes readable lines on a terminal in development, with the same fields kept out, and the route table at debug', async () => {
    const api = await spawnApi(
      { LOG_LEVEL: 'debug', INTERNAL_API_TOKEN: INTERNAL_TOKEN },
      { terminal: true },
    );
    try {
      const secrets = await requestsWithSecrets(api);
      const output = await outputOnceLogged(api, /POST \/api\/auth\/logout/);

      expect(output).toMatch(
        new RegExp(
          `^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] INFO: Bootstrap: listening on :${api.port} `,
          'm',
        ),
      );
      expect(output).toMatch(/^\[[\d:.]+\] WARN: Bootstrap: No Redis configured/m);
      expect(output).toMatch(/^\[[\d:.]+\] INFO: POST \/api\/auth\/login 401 \d+ ms$/m);
      expect(output).toMatch(/^\[[\d:.]+\] INFO: GET \/api\/auth\/me 200 \d+ ms$/m);
      expect(output).toMatch(
        /^\[[\d:.]+\] DEBUG: RouterExplorer: Mapped \{\/api\/auth\/login, POST\} route$/m,
      );
      expect(output).not.toMatch(/^\{"level"/m);
      for (const secret of secrets) expect(output).not.toContain(secret);
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  describe('in production', () => {
    let redis: RedisServer;

    beforeAll(async () => {
      redis = await RedisServer.start();
    });

    afterAll(async () => {
      await redis?.dispose();
    });

    it('logs JSON lines even on a terminal', async () => {
      const api = await spawnApi(
        {
          NODE_ENV: 'production',
          REDIS_URL: redis.url,
          ALLOWED_ORIGINS: 'https://chat.example.com',
        },
        { terminal: true },
      );
      try {
        await new HttpClient(api.baseUrl).get('/api/auth/me');
        const lines = jsonLines(await outputOnceLogged(api, /GET \/api\/auth\/me 401/));
        expect(lines.find((line) => line.req?.path === '/api/auth/me')?.msg).toMatch(
          /^GET \/api\/auth\/me 401 \d+ ms$/,
        );
        expect(lines.some((line) => line.msg.startsWith('listening on :'))).toBe(true);
      } finally {
        expect(await api.stop()).toBe(0);
      }
    });
  });

  it('refuses to start on invalid configuration, listing every problem', async () => {
    const api = await spawnApi(
      { NODE_ENV: 'production', WS_HEARTBEAT_MS: 'often', PORT: '1', LOG_FORMAT: 'colourful' },
      { waitReady: false },
    );
    const code = await api.exited;
    expect(code).toBe(1);
    const output = api.output();
    expect(output).toContain('Invalid configuration');
    expect(output).toMatch(/REDIS_URL: .*production/);
    expect(output).toMatch(/ALLOWED_ORIGINS: /);
    expect(output).toMatch(/WS_HEARTBEAT_MS: /);
    expect(output).toMatch(/LOG_FORMAT: /);
  });

  it('refuses to start in production against a Redis that answers without a password', async () => {
    const production = {
      NODE_ENV: 'production',
      ALLOWED_ORIGINS: 'https://chat.example.com',
      LOG_LEVEL: 'warn',
    };
    const open = await RedisServer.start({ durable: false, password: null });
    const guarded = await RedisServer.start({ durable: false });
    try {
      // A password in the URL that the server does not ask for proves nothing.
      const refused = await spawnApi(
        { ...production, REDIS_URL: `redis://:some-password@127.0.0.1:${open.port}` },
        { waitReady: false },
      );
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toMatch(/Redis answers clients without a password/);

      const api = await spawnApi({ ...production, REDIS_URL: guarded.url });
      try {
        expect((await new HttpClient(api.baseUrl).get('/api/health')).body).toEqual({
          status: 'ok',
          engine: 'redis',
        });
      } finally {
        await api.stop();
      }
    } finally {
      await Promise.all([open.dispose(), guarded.dispose()]);
    }
  });
});
