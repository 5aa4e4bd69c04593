import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Params } from 'nestjs-pino';
import { type AppConfig } from './app-config';

/**
 * Structured JSON logs. Requests are logged by method, path and status only: no headers
 * (cookies, bearer tokens), no query strings, no bodies (passwords, messages).
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      base: { service: 'chat-api' },
      // Probes hit these every few seconds; their failures show in the status anyway.
      autoLogging: { ignore: (request) => request.url?.startsWith('/api/health') ?? false },
      serializers: {
        req: (request: IncomingMessage & { id?: unknown }) => ({
          id: request.id,
          method: request.method,
          path: request.url?.split('?')[0],
        }),
        res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
      },
      redact: {
        paths: ['req.headers', 'res.headers', '*.password', '*.sessionId', '*.body'],
        remove: true,
      },
    },
  };
}
