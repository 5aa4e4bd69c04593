import { createServer, connect, type Server, type Socket } from 'node:net';

interface Link {
  client: Socket;
  upstream: Socket | null;
  stalled: boolean;
}

/**
 * A TCP proxy in front of redis-server that can stop forwarding without closing anything: the
 * network partition a crashed host, a dropped NAT entry or a wedged middlebox leaves behind.
 * `stall()` freezes every open connection and every new one (bytes wait in buffers; nothing is
 * closed, so TCP keepalives are still answered). `heal()` forwards new connections again but
 * leaves the frozen ones frozen: half-open sockets a client has to notice and give up on itself.
 */
export class StallProxy {
  private readonly links = new Set<Link>();
  private stalling = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly upstreamPort: number,
    private readonly password: string | null,
  ) {}

  /** A proxy to the Redis on `upstreamPort`; `password` goes into {@link url}. */
  static async start(upstreamPort: number, password: string | null): Promise<StallProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new StallProxy(
      server,
      (server.address() as { port: number }).port,
      upstreamPort,
      password,
    );
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  get url(): string {
    const credentials = this.password === null ? '' : `:${this.password}@`;
    return `redis://${credentials}127.0.0.1:${this.port}`;
  }

  /** Connections currently frozen. */
  get stalledConnections(): number {
    return [...this.links].filter((link) => link.stalled).length;
  }

  stall(): void {
    this.stalling = true;
    for (const link of this.links) this.freeze(link);
  }

  heal(): void {
    this.stalling = false;
  }

  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream?.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const link: Link = { client, upstream: null, stalled: false };
    this.links.add(link);
    client.on('error', () => undefined);
    client.once('close', () => {
      link.upstream?.destroy();
      this.links.delete(link);
    });
    if (this.stalling) {
      this.freeze(link);
      return;
    }
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    link.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => {
      if (!link.stalled) client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Stops moving bytes either way and never closes: reads stop, buffers fill, nothing ends. */
  private freeze(link: Link): void {
    link.stalled = true;
    if (link.upstream) {
      link.client.unpipe(link.upstream);
      link.upstream.unpipe(link.client);
      link.upstream.pause();
      // The upstream (Redis) may close its side later; the client must not hear of it.
      link.upstream.removeAllListeners('close');
      link.upstream.removeAllListeners('error');
      link.upstream.on('error', () => undefined);
    }
    link.client.pause();
  }
}
