import { type NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory';
import { type AppConfig, loadConfig } from '../../src/config/app-config';
import { METRICS_PATH, MetricsServer } from '../../src/modules/metrics/metrics-server';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';

export interface ApiInstance {
  app: NestExpressApplication;
  config: AppConfig;
  baseUrl: string;
  /** The Prometheus listener, on its own port. */
  metricsUrl: string;
  close(): Promise<void>;
}

/** Starts the real application on a free port, as `main.ts` does. */
export async function startApi(environment: Record<string, string> = {}): Promise<ApiInstance> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    // Suites here post hundreds of messages and open hundreds of sockets from one address within
    // seconds; the limits themselves are tested with their defaults in test/hardening/floods.
    WS_CONNECT_RATE_PER_IP: '0',
    LOGIN_RATE_PER_IP: '0',
    MESSAGE_RATE_PER_USER: '0',
    LOGIN_RATE_PER_ACCOUNT: '0',
    METRICS_PORT: '0',
    ...environment,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    metricsUrl: `http://127.0.0.1:${app.get(MetricsServer).address().port}${METRICS_PATH}`,
    close: () => app.close(),
  };
}
