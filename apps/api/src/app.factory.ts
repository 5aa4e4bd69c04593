import { type Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { Logger } from 'nestjs-pino';
import { API_PREFIX } from '@chat/protocol';
import { AppModule } from './app.module';
import { trustProxies } from './common/client-address';
import { apiResponseHeaders } from './common/response-headers';
import { type AppConfig } from './config/app-config';
import { AppLogger } from './config/logger';
import { ChatWsAdapter } from './modules/realtime/gateway/chat-ws.adapter';
import { GatewayHandshake } from './modules/realtime/gateway/gateway-handshake';

/**
 * Time limits of the HTTP server, which also receives every WebSocket upgrade. Node's defaults
 * (60 s for headers, checked every 30 s) let a client hold a half-finished request or handshake
 * open for up to 90 s; thousands of those are a cheap way to exhaust sockets.
 */
export const HTTP_SERVER_LIMITS = {
  /** Time to send the request headers (an upgrade included); then 408 and close. */
  headersTimeoutMs: 10_000,
  /** Time to send a whole request, body included. */
  requestTimeoutMs: 30_000,
  /** How often the server looks for connections past those limits. */
  checkIntervalMs: 1_000,
} as const;

/**
 * Builds the application (HTTP under `/api`, the gateway at `/ws/chat`); `main.ts` and the tests
 * both start it here. Signals are `main.ts`'s business (it drains before closing).
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  trustProxies(config.trustedProxies, config.trustedProxySecret);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(new AppLogger(app.get(Logger)));
  const server = app.getHttpServer() as Server;
  server.headersTimeout = HTTP_SERVER_LIMITS.headersTimeoutMs;
  server.requestTimeout = HTTP_SERVER_LIMITS.requestTimeoutMs;
  // The `createServer` option of that name; Node reads it when the server starts listening, so
  // it applies although Nest created the server already (the typings only know the option).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    HTTP_SERVER_LIMITS.checkIntervalMs;
  app.disable('x-powered-by');
  // Express's own reading of forwarding headers (req.ip, req.protocol) stays off: client
  // addresses come from clientAddress(), which also checks the edge's secret.
  app.set('trust proxy', false);
  app.setGlobalPrefix(API_PREFIX);
  app.use(apiResponseHeaders);
  app.use(cookieParser());
  app.useWebSocketAdapter(new ChatWsAdapter(app, app.get(GatewayHandshake)));
  return app;
}
