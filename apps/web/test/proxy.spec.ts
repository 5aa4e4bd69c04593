import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@chat/test-support';
import { startWeb, type WebServer } from './support/servers';

const MB = 1024 * 1024;

/** A loopback stand-in for the API that reports what it received. */
class FakeApi {
  readonly server: Server;
  firstUploadChunk: Promise<void>;
  private resolveFirstUploadChunk!: () => void;
  downloadMayFinish!: () => void;
  /** Every path the proxy forwarded. */
  readonly received: string[] = [];

  constructor() {
    this.firstUploadChunk = this.resetUpload();
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  private resetUpload(): Promise<void> {
    return new Promise((resolve) => (this.resolveFirstUploadChunk = resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    this.received.push(url.pathname);
    if (url.pathname === '/api/chat/upload') {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of request) {
        if (bytes === 0) this.resolveFirstUploadChunk();
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
      return;
    }
    if (url.pathname === '/api/chat/download') {
      const mayFinish = new Promise<void>((resolve) => (this.downloadMayFinish = resolve));
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.write(Buffer.alloc(MB, 1));
      await mayFinish;
      response.end(Buffer.alloc(4 * MB, 2));
      return;
    }
    if (url.pathname === '/api/chat/broken') {
      // Announces 1,000 bytes, sends 10 and drops the connection.
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"partial"', () => response.socket?.destroy());
      return;
    }
    if (url.pathname === '/api/chat/slow') {
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"slow":true}');
      return;
    }
    let body = '';
    for await (const chunk of request) body += chunk;
    response.setHeader('set-cookie', [
      'sid=abc; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark; Path=/; Expires=Wed, 21 Oct 2099 07:28:00 GMT',
    ]);
    response.setHeader('x-upstream', 'yes');
    response.setHeader('connection', 'keep-alive, x-secret-hop');
    response.setHeader('x-secret-hop', 'must not pass');
    response.writeHead(url.pathname === '/api/chat/missing' ? 404 : 201, {
      'content-type': 'application/json',
    });
    response.end(
      JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }),
    );
  }
}

describe('the /api/* proxy route', () => {
  const fakeApi = new FakeApi();
  let web: WebServer;
  let downWeb: WebServer;

  beforeAll(async () => {
    fakeApi.server.listen(0, '127.0.0.1');
    await once(fakeApi.server, 'listening');
    const { port } = fakeApi.server.address() as { port: number };
    // Nothing listens on the second API address: the API is down.
    const [web1, web2] = await Promise.all([
      startWeb({ API_INTERNAL_URL: `http://127.0.0.1:${port}` }),
      freePort().then((closed) => startWeb({ API_INTERNAL_URL: `http://127.0.0.1:${closed}` })),
    ]);
    web = web1;
    downWeb = web2;
  });

  afterAll(async () => {
    await Promise.all([web?.stop(), downWeb?.stop()]);
    fakeApi.server.close();
  });

  it('passes method, path, query, status, body and cookies through', async () => {
    const response = await fetch(`${web.baseUrl}/api/chat/things/42?filter=a%20b&x=1`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        cookie: 'sid=session-1; other=2',
        'x-forwarded-for': '203.0.113.9',
      },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual([
      'sid=abc; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark; Path=/; Expires=Wed, 21 Oct 2099 07:28:00 GMT',
    ]);
    // Headers named in Connection are hop-by-hop and stay on the hop they were sent on.
    expect(response.headers.get('x-secret-hop')).toBeNull();
    const seen = (await response.json()) as {
      method: string;
      url: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(seen.method).toBe('PATCH');
    const seenUrl = new URL(seen.url, 'http://api');
    expect(seenUrl.pathname).toBe('/api/chat/things/42');
    expect([...seenUrl.searchParams]).toEqual([
      ['filter', 'a b'],
      ['x', '1'],
    ]);
    expect(JSON.parse(seen.body)).toEqual({ hello: 'world' });
    expect(seen.headers.cookie).toBe('sid=session-1; other=2');
    // The browser's hop is compressed by the web server (or the edge), never twice.
    expect(seen.headers['accept-encoding']).toBe('identity');
    expect(seen.headers['x-forwarded-for']).toContain('203.0.113.9');
    expect(seen.headers['x-forwarded-host']).toBe(`127.0.0.1:${web.port}`);
    expect(seen.headers['x-forwarded-proto']).toBe('http');
  });

  it('passes error statuses and every method through', async () => {
    const missing = await fetch(`${web.baseUrl}/api/chat/missing`);
    expect(missing.status).toBe(404);
    // Without an edge in front, the client address still reaches the API.
    const direct = (await missing.json()) as { headers: Record<string, string> };
    expect(direct.headers['x-forwarded-for']).toBe('127.0.0.1');
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await fetch(`${web.baseUrl}/api/chat/m`, {
        method,
        body: method === 'GET' || method === 'OPTIONS' ? undefined : 'x',
      });
      expect(response.status).toBe(201);
      expect(((await response.json()) as { method: string }).method).toBe(method);
    }
  });

  it('streams a 5 MB request body to the API without buffering it', async () => {
    const first = Buffer.alloc(MB, 7);
    const rest = Buffer.alloc(4 * MB, 9);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(first);
        // The rest is only sent once the API holds the first megabyte: a proxy that buffered
        // the whole body first would wait here for ever.
        await fakeApi.firstUploadChunk;
        controller.enqueue(rest);
        controller.close();
      },
    });
    const response = await fetch(`${web.baseUrl}/api/chat/upload`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/octet-stream' },
    } as RequestInit);
    expect(response.status).toBe(200);
    const expected = createHash('sha256').update(first).update(rest).digest('hex');
    expect(await response.json()).toEqual({ bytes: 5 * MB, sha256: expected });
  });

  it('streams a 5 MB response body back without buffering it', async () => {
    const response = await fetch(`${web.baseUrl}/api/chat/download`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let bytes = 0;
    let released = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      // The API sends the rest only after the client has seen the first bytes.
      if (!released) {
        released = true;
        fakeApi.downloadMayFinish();
      }
    }
    expect(bytes).toBe(5 * MB);
  });

  it('answers 502 JSON when the API breaks off a small answer, instead of a truncated 200', async () => {
    const response = await fetch(`${web.baseUrl}/api/chat/broken`);
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: string; message: string };
    expect(body).toEqual({ error: 'bad_gateway', message: expect.stringMatching(/broke off/) });
  });

  it('answers 502 JSON within 5 s when the API is down', async () => {
    const started = Date.now();
    const response = await fetch(`${downWeb.baseUrl}/api/auth/me`);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('bad_gateway');
    expect(body.message).toMatch(/unreachable/);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('does not time out a slow answer from a reachable API', async () => {
    const response = await fetch(`${web.baseUrl}/api/chat/slow`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ slow: true });
  });

  it('forwards only the routes browsers use, and keeps everything else off the public host', async () => {
    const before = fakeApi.received.length;
    for (const path of [
      '/api/metrics',
      '/api//metrics',
      '/api/internal/notifications',
      '/api/Internal/users/u1',
      '//api/internal/users/u1',
      '/api/chat/../internal/users/u1',
      '/api/chat/%2e%2e/internal/users/u1',
      '/api/%69nternal/users/u1',
      '/api/anything-added-later',
      '/api',
      '/api/',
    ]) {
      const response = await fetch(`${web.baseUrl}${path}`, {
        method: path.includes('internal') ? 'POST' : 'GET',
      });
      expect(response.status, path).toBe(404);
    }
    expect(fakeApi.received.slice(before)).toEqual([]);
    const refused = await fetch(`${web.baseUrl}/api/internal/notifications`, { method: 'POST' });
    expect(await refused.json()).toEqual({ error: 'not_found', message: 'Not found' });
  });

  it('passes the public sections through, however they are spelled', async () => {
    for (const path of ['/api/auth/me', '/api/Chat/m', '/api//notifications', '/api/health']) {
      const response = await fetch(`${web.baseUrl}${path}`);
      expect(response.status, path).toBe(201);
    }
  });

  it("sets the browser defences on the web server's answers", async () => {
    for (const path of ['/', '/login', '/favicon.svg']) {
      const response = await fetch(`${web.baseUrl}${path}`);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
    }
    // Every page has a policy with a nonce of its own, and the scripts of the page carry it.
    const [first, second] = [
      await fetch(`${web.baseUrl}/login`),
      await fetch(`${web.baseUrl}/login`),
    ];
    const nonceOf = (policy: string | null) => /'nonce-([^']+)'/.exec(policy ?? '')?.[1];
    const policy = first.headers.get('content-security-policy');
    expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(nonceOf(policy)).not.toBe(nonceOf(second.headers.get('content-security-policy')));
    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonceOf(policy)}"`);
  });

  it('answers GET / with 200 for the health check', async () => {
    expect((await fetch(`${web.baseUrl}/`)).status).toBe(200);
    expect((await fetch(`${downWeb.baseUrl}/`)).status).toBe(200);
  });
});
