import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { Logger } from 'nestjs-pino';
import { API_PREFIX } from '@chat/protocol';
import { AppModule } from './app.module';
import { type AppConfig } from './config/app-config';
import { ChatWsAdapter } from './modules/chat/realtime/chat-ws.adapter';
import { GatewayHandshake } from './modules/chat/realtime/gateway-handshake';

/**
 * Builds the application (HTTP under `/api`, the gateway at `/ws/chat`); `main.ts` and the tests
 * both start it here. Signals are `main.ts`'s business (it drains before closing).
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Behind the edge and the web proxy, the client address arrives in X-Forwarded-For.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.setGlobalPrefix(API_PREFIX);
  app.use(cookieParser());
  app.useWebSocketAdapter(new ChatWsAdapter(app, app.get(GatewayHandshake)));
  return app;
}
