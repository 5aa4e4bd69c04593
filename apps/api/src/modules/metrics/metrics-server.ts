import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from './metrics.service';

/** Where Prometheus scrapes, on the metrics listener. */
export const METRICS_PATH = '/metrics';

const ownAddresses = () =>
  new Set(
    Object.values(networkInterfaces())
      .flat()
      .flatMap((entry) => (entry ? [entry.address] : [])),
  );

/**
 * The address `host` names on this machine. A network alias that several replicas share resolves
 * to all of them; each binds to its own, so the listener sits on that network and no other.
 */
export async function listenAddress(host: string): Promise<string> {
  const candidates = await lookup(host, { all: true, verbatim: true });
  const own = ownAddresses();
  const local = candidates.find((candidate) => own.has(candidate.address));
  if (local) return local.address;
  if (candidates.length === 1 && ['0.0.0.0', '::'].includes(candidates[0]!.address)) {
    return candidates[0]!.address;
  }
  throw new Error(
    `METRICS_HOST=${host} resolves to ${candidates.map((candidate) => candidate.address).join(', ')}, none of them an address of this machine`,
  );
}

/**
 * Prometheus's own listener (`METRICS_HOST:METRICS_PORT`), apart from the HTTP API: the metrics
 * stay off every network the API port is on (the edge's network is shared with strangers).
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private readonly server: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== METRICS_PATH) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) =>
          response
            .writeHead(200, {
              'content-type': this.metrics.registry.contentType,
              'cache-control': 'no-store',
            })
            .end(text),
        () => response.writeHead(500).end(),
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = this.config.metrics;
    const address = await listenAddress(host);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, address, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = this.address();
    this.logger.log(`metrics on http://${bound.address}:${bound.port}${METRICS_PATH}`);
  }

  /** Where the listener is bound (its port, when METRICS_PORT=0). */
  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
