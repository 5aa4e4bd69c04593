import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { PUBLIC_GATEWAY_PATH } from '@chat/protocol';

/**
 * A minimal loopback stand-in for the production edge (Traefik or nginx): `/api/ws/*` upgrades
 * go to the API with `/api` stripped, everything else to the web server. It can refuse upgrades
 * for a while, to hold a client in "reconnecting" while messages are posted.
 */
export class Edge {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  refuseUpgrades = false;
  upgrades = 0;

  constructor(
    private readonly webPort: number,
    private apiPort: number,
  ) {}

  get origin(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('edge not started');
    return `http://127.0.0.1:${address.port}`;
  }

  static async start(webPort: number, apiPort: number, port = 0): Promise<Edge> {
    const edge = new Edge(webPort, apiPort);
    await edge.listen(port);
    return edge;
  }

  setApiPort(port: number): void {
    this.apiPort = port;
  }

  private listen(port: number): Promise<void> {
    const server = createServer((incoming, outgoing) => {
      const forwarded = request(
        {
          host: '127.0.0.1',
          port: this.webPort,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, 'x-forwarded-for': incoming.socket.remoteAddress },
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.rawHeaders);
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
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (incoming: IncomingMessage, client: Socket, head: Buffer) =>
      this.upgrade(incoming, client, head),
    );
    this.server = server;
    return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  }

  private upgrade(incoming: IncomingMessage, client: Socket, head: Buffer): void {
    const path = incoming.url ?? '/';
    if (this.refuseUpgrades || !path.startsWith(PUBLIC_GATEWAY_PATH)) {
      client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.upgrades += 1;
    const upstream = connect(this.apiPort, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    const lines = [`${incoming.method} ${path.slice('/api'.length)} HTTP/1.1`];
    for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
      lines.push(`${incoming.rawHeaders[index]}: ${incoming.rawHeaders[index + 1]}`);
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
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
