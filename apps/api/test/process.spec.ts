import { describe, expect, it } from 'vitest';
import { spawnApi } from './support/api-process';
import { BK_1001_THREAD, DEMO, HttpClient } from './support/http-client';

describe('the API process (node dist/main.js)', () => {
  it('starts with no configuration on the embedded engine with demo data, and logs no secrets', async () => {
    const api = await spawnApi({
      LOG_LEVEL: 'debug',
      INTERNAL_API_TOKEN: 'process-test-token-0123',
    });
    try {
      const client = new HttpClient(api.baseUrl);
      expect((await client.get('/api/health')).body).toEqual({ status: 'ok', engine: 'memory' });

      const user = await client.login(DEMO.alice);
      expect(user.handle).toBe('alice');
      const sessionId = client.sessionCookie!.slice('sid='.length);
      const secretBody = 'the-secret-body-of-a-message-4711';
      const posted = await client.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
        body: secretBody,
        clientMessageId: 'process-1',
      });
      expect(posted.status).toBe(201);
      await client.get('/api/auth/me', { authorization: `Bearer ${sessionId}` });
      await client.post('/api/auth/login', { email: DEMO.bob, password: 'wrong-password-0815' });
      await client.post('/api/auth/logout');

      const output = api.output();
      expect(output).toMatch(/embedded in-process engine/);
      // The requests were logged, and nothing secret with them.
      expect(output).toMatch(/"path":"\/api\/auth\/login"/);
      for (const secret of [
        'demo1234',
        'wrong-password-0815',
        sessionId,
        secretBody,
        'process-test-token-0123',
      ]) {
        expect(output).not.toContain(secret);
      }
      for (const line of output.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await api.stop();
    }
  });

  it('refuses to start on invalid configuration, listing every problem', async () => {
    const api = await spawnApi(
      { NODE_ENV: 'production', WS_HEARTBEAT_MS: 'often', PORT: '1' },
      { waitReady: false },
    );
    const code = await api.exited;
    expect(code).toBe(1);
    const output = api.output();
    expect(output).toContain('Invalid configuration');
    expect(output).toMatch(/REDIS_URL: .*production/);
    expect(output).toMatch(/ALLOWED_ORIGINS: /);
    expect(output).toMatch(/WS_HEARTBEAT_MS: /);
  });
});
