import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface LoopbackEdgeOptions {
  /** The web server's port: everything but WebSocket upgrades goes there. */
  webPort: number;
  /** The API's port: `/api/ws/*` upgrades go there, with `/api` stripped. */
  apiPort: number;
  /** Sent to both as `X-Trusted-Proxy-Secret`, as the edge proves itself in production. */
  trustedProxySecret?: string;
  /** Answers' headers the edge adds, as Traefik's headers middleware or nginx's add_header. */
  responseHeaders?: Record<string, string>;
}

/**
 * A loopback stand-in for the production edge (Traefik or nginx): `/api/ws/*` upgrades go to the
 * API with `/api` stripped, everything else to the web server. Like Traefik, it replaces any
 * `X-Forwarded-For` the client sent with the client's address. It can refuse upgrades for a
 * while (503, as Traefik answers with no healthy backend), to hold a client in "reconnecting".
 */
export class LoopbackEdge {
  private readonly sockets = new Set<Socket>();
  refuseUpgrades = false;

  private constructor(
    private readonly server: Server,
    private readonly options: LoopbackEdgeOptions,
  ) {}

  static async start(options: LoopbackEdgeOptions, port = 0): Promise<LoopbackEdge> {
    const server = createServer();
    const edge = new LoopbackEdge(server, options);
    server.on('request', (incoming, outgoing) => {
      const forwarded = request(
        {
          host: '127.0.0.1',
          port: options.webPort,
          method: incoming.method,
          path: incoming.url,
          headers: edge.forwardedHeaders(incoming),
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, {
            ...response.headers,
            ...options.responseHeaders,
          });
          response.pipe(outgoing);
        },
      );
      forwarded.on('error', () => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.end();
      });
      incoming.pipe(forwarded);
    });
    server.on('connection', (socket) => {
      edge.sockets.add(socket);
      socket.once('close', () => edge.sockets.delete(socket));
    });
    server.on('upgrade', (incoming: IncomingMessage, client: Socket, head: Buffer) =>
      edge.upgrade(incoming, client, head),
    );
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    return edge;
  }

  get origin(): string {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('edge not started');
    return `http://127.0.0.1:${address.port}`;
  }

  private forwardedHeaders(incoming: IncomingMessage): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && name !== 'x-trusted-proxy-secret') headers[name] = value;
    }
    headers['x-forwarded-for'] = incoming.socket.remoteAddress ?? '';
    if (this.options.trustedProxySecret) {
      headers['x-trusted-proxy-secret'] = this.options.trustedProxySecret;
    }
    return headers;
  }

  private upgrade(incoming: IncomingMessage, client: Socket, head: Buffer): void {
    const path = incoming.url ?? '/';
    if (!path.startsWith('/api/ws/')) {
      client.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (this.refuseUpgrades) {
      client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(this.options.apiPort, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    const lines = [`${incoming.method} ${path.slice('/api'.length)} HTTP/1.1`];
    for (const [name, value] of Object.entries(this.forwardedHeaders(incoming))) {
      for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client).pipe(upstream);
    const destroyBoth = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', destroyBoth);
    client.on('error', destroyBoth);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
