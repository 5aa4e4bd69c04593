import { readFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import { type AddressInfo } from 'node:net';
import { GATEWAY_PATH, PUBLIC_GATEWAY_PATH } from '@chat/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { find, nginxSeconds, only, parseNginx, walk } from './support/nginx-config';
import { type NginxEdge, startNginxEdge, TEMPLATE_VARIABLES } from './support/nginx';
import { NGINX_TEMPLATE } from './support/paths';
import { within } from '@chat/test-support';

// The largest WS_HEARTBEAT_MS the API accepts (apps/api/src/config/app-config.ts): no valid
// heartbeat may leave a socket silent for longer than nginx's read timeout.
const LARGEST_HEARTBEAT_SECONDS = 300;

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A stand-in upstream that answers HTTP with what it saw, and says whether it got upgrades. */
class Upstream {
  readonly requests: Seen[] = [];
  readonly upgrades: Seen[] = [];
  private readonly server: Server;
  private readonly webSockets = new WebSocketServer({ noServer: true });

  constructor(
    readonly name: string,
    acceptUpgradeAt: string | null,
  ) {
    this.server = createServer((request, response) => {
      this.requests.push({ url: request.url!, headers: request.headers });
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ service: name, url: request.url, headers: request.headers }));
    });
    this.server.on('upgrade', (request, socket, head) => {
      this.upgrades.push({ url: request.url!, headers: request.headers });
      if (new URL(request.url!, 'http://upstream').pathname !== acceptUpgradeAt) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
        webSocket.send(JSON.stringify({ service: name, url: request.url }));
        webSocket.on('message', (data) => webSocket.send(`echo:${data.toString()}`));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.upgrades.length = 0;
  }

  async close(): Promise<void> {
    for (const client of this.webSockets.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Opens a WebSocket and reports how the handshake ended: 101 and the first message, or a status. */
function handshake(url: string, headers: Record<string, string> = {}) {
  return within(
    new Promise<{ status: number; socket?: WebSocket; first?: string }>((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      let status = 0;
      socket.once('upgrade', (response) => (status = response.statusCode ?? 0));
      socket.once('message', (data) => resolve({ status, socket, first: data.toString() }));
      socket.once('unexpected-response', (_request, response) => {
        resolve({ status: response.statusCode ?? 0 });
        response.resume();
        socket.terminate();
      });
      socket.once('error', reject);
    }),
    5_000,
    `WebSocket handshake to ${url}`,
  );
}

describe('deploy/nginx template', () => {
  const template = readFileSync(NGINX_TEMPLATE, 'utf8');
  const tree = parseNginx(template.replace(/\$\{(\w+)\}/g, 'placeholder_$1'));
  const server = only(tree, 'server').children!;
  const webSocketLocation = only(server, 'location', '/api/ws/').children!;
  const webLocation = only(server, 'location', '/').children!;

  it('is templated only in upstream addresses, the listen port and the secret header', () => {
    const placeholders = [...template.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]);
    expect([...new Set(placeholders)].sort()).toEqual([...TEMPLATE_VARIABLES].sort());
    const holders = walk(tree)
      .filter(({ directive }) => directive.args.some((arg) => arg.includes('placeholder_')))
      .map(({ directive, parents }) => `${parents.join('>')}>${directive.name}`);
    expect(holders.sort()).toEqual([
      'server>listen',
      'server>location>proxy_set_header',
      'server>location>proxy_set_header',
      'upstream>server',
      'upstream>server',
    ]);
  });

  it('sends HSTS on every answer, errors included', () => {
    const [name, value, always] = only(server, 'add_header').args;
    expect(name).toBe('Strict-Transport-Security');
    expect(Number(/max-age=(\d+)/.exec(value!.replace(/"/g, ''))?.[1])).toBeGreaterThanOrEqual(
      31_536_000,
    );
    expect(always).toBe('always');
    // An add_header inside a location would drop the server's: there is none.
    expect(walk(server).filter(({ directive }) => directive.name === 'add_header')).toHaveLength(1);
  });

  it('derives the Connection header from Upgrade with a map', () => {
    const map = only(tree, 'map');
    expect(map.args).toEqual(['$http_upgrade', '$chat_connection_upgrade']);
    expect(map.children).toEqual([
      { name: 'default', args: ['upgrade'] },
      { name: '', args: ['close'] },
    ]);
    const headers = find(webSocketLocation, 'proxy_set_header').map((directive) => directive.args);
    expect(headers).toContainEqual(['Upgrade', '$http_upgrade']);
    expect(headers).toContainEqual(['Connection', '$chat_connection_upgrade']);
  });

  it('keeps an idle WebSocket open longer than any heartbeat the API accepts', () => {
    for (const name of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const seconds = nginxSeconds(only(webSocketLocation, name).args[0]!);
      expect(seconds, name).toBeGreaterThan(LARGEST_HEARTBEAT_SECONDS);
    }
  });

  it('does not buffer proxied responses and speaks HTTP/1.1 upstream', () => {
    expect(only(server, 'proxy_buffering').args).toEqual(['off']);
    expect(only(server, 'proxy_http_version').args).toEqual(['1.1']);
    // Nothing below the server turns it back on.
    expect(
      walk(server).filter(({ directive }) => directive.name === 'proxy_buffering'),
    ).toHaveLength(1);
  });

  it('sets the forwarding headers in every location, since each location replaces the list', () => {
    const forwarding = [
      'Host',
      'X-Real-IP',
      'X-Forwarded-For',
      'X-Forwarded-Proto',
      'X-Forwarded-Host',
      'X-Trusted-Proxy-Secret',
    ];
    for (const location of [webSocketLocation, webLocation]) {
      const names = find(location, 'proxy_set_header').map((directive) => directive.args[0]);
      expect(names).toEqual(expect.arrayContaining(forwarding));
    }
  });
});

describe('deploy/nginx on real nginx, with stand-in upstreams', () => {
  const api = new Upstream('api', GATEWAY_PATH);
  const web = new Upstream('web', null);
  let edge: NginxEdge;

  beforeAll(async () => {
    edge = await startNginxEdge({ api: await api.listen(), web: await web.listen() });
  });
  afterAll(async () => {
    await edge?.stop();
    await api.close();
    await web.close();
  });
  beforeEach(() => {
    api.reset();
    web.reset();
  });

  it.each(['/', '/threads/th_bk_1001', '/api/bookings?page=2', '/api/auth/me', '/api/wsx'])(
    'sends HTTP %s to web with the path untouched',
    async (path) => {
      const response = await fetch(`${edge.baseUrl}${path}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { service: string; url: string };
      expect(body).toMatchObject({ service: 'web', url: path });
      expect(api.requests).toEqual([]);
    },
  );

  it('forwards the client address it sees (not the one claimed), scheme, host and its secret', async () => {
    // node:http rather than fetch, which does not let a caller set Host.
    const body = await within(
      new Promise<string>((resolve, reject) => {
        const request = httpRequest(
          `${edge.baseUrl}/api/bookings`,
          {
            headers: {
              host: 'chat.example.com',
              'x-forwarded-for': '203.0.113.9',
              'x-trusted-proxy-secret': 'a-guess',
            },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve(text));
          },
        );
        request.on('error', reject);
        request.end();
      }),
      5_000,
      'GET /api/bookings',
    );
    const { headers } = JSON.parse(body) as { headers: IncomingHttpHeaders };
    expect(headers.host).toBe('chat.example.com');
    expect(headers['x-forwarded-host']).toBe('chat.example.com');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-real-ip']).toBe('127.0.0.1');
    expect(headers['x-trusted-proxy-secret']).toBe('nginx-edge-test-secret');
  });

  it('answers with HSTS, on a page and on an error alike', async () => {
    for (const path of ['/', '/no-such-upstream-path']) {
      const response = await fetch(`${edge.baseUrl}${path}`);
      expect(response.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
    }
  });

  it('upgrades /api/ws/chat at the api on /ws/chat, passing query, cookie and Origin', async () => {
    const result = await handshake(`ws://127.0.0.1:${edge.port}${PUBLIC_GATEWAY_PATH}?v=1`, {
      cookie: 'sid=abc',
      origin: 'https://chat.example.com',
    });
    expect(result.status).toBe(101);
    expect(JSON.parse(result.first!)).toEqual({ service: 'api', url: `${GATEWAY_PATH}?v=1` });
    const [seen] = api.upgrades;
    expect(seen!.headers.cookie).toBe('sid=abc');
    expect(seen!.headers.origin).toBe('https://chat.example.com');
    expect(seen!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen!.headers['x-trusted-proxy-secret']).toBe('nginx-edge-test-secret');
    // Frames flow both ways through the edge.
    const echoed = new Promise<string>((resolve) =>
      result.socket!.once('message', (data) => resolve(data.toString())),
    );
    result.socket!.send('ping');
    expect(await within(echoed, 5_000, 'echo')).toBe('echo:ping');
    result.socket!.close();
    expect(web.requests).toEqual([]);
    expect(web.upgrades).toEqual([]);
  });

  it.each(['/', '/api/chat/conversations', '/ws/chat'])(
    'never passes an upgrade for %s to web: it arrives as plain HTTP',
    async (path) => {
      const result = await handshake(`ws://127.0.0.1:${edge.port}${path}`);
      expect(result.status).toBe(200);
      expect(web.upgrades).toEqual([]);
      expect(web.requests).toHaveLength(1);
      expect(web.requests[0]!.headers.upgrade).toBeUndefined();
      expect(web.requests[0]!.headers.connection ?? '').not.toMatch(/upgrade/i);
    },
  );
});
