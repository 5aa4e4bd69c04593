import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type LoggerService } from '@nestjs/common';
import { type Logger, type Params } from 'nestjs-pino';
import { type Options } from 'pino-http';
import pretty from 'pino-pretty';
import { type AppConfig } from './app-config';

type Request = IncomingMessage & { id?: unknown };

// The query string may carry tokens; only the path is ever logged.
const pathOf = (request: IncomingMessage): string | undefined => request.url?.split('?')[0];

/**
 * Logs are JSON lines for the log collector, or readable lines for a person at a terminal
 * (`LOG_FORMAT`; `auto` picks readable lines on a terminal outside production). Either way the
 * same fields are kept: requests are logged by method, path and status only, with no headers
 * (cookies, bearer tokens), no query strings and no bodies (passwords, messages).
 */
export function loggerOptions(
  config: AppConfig,
  stdoutIsTerminal = process.stdout.isTTY === true,
): Params {
  const options: Options = {
    level: config.logLevel,
    base: { service: 'chat-api' },
    // Probes hit these every few seconds; their failures show in the status anyway.
    autoLogging: { ignore: (request) => request.url?.startsWith('/api/health') ?? false },
    // One line per request, which reads the same in both formats.
    customSuccessMessage: (request, response, responseTime) =>
      `${request.method} ${pathOf(request)} ${response.statusCode} ${Math.round(responseTime)} ms`,
    customErrorMessage: (request, response) =>
      `${request.method} ${pathOf(request)} ${response.statusCode} failed`,
    serializers: {
      req: (request: Request) => ({
        id: request.id,
        method: request.method,
        path: pathOf(request),
      }),
      res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
    },
    redact: {
      paths: ['req.headers', 'res.headers', '*.password', '*.sessionId', '*.body'],
      remove: true,
    },
  };
  return {
    pinoHttp: usesPrettyLogs(config, stdoutIsTerminal) ? [options, prettyStream()] : options,
  };
}

export function usesPrettyLogs(config: AppConfig, stdoutIsTerminal: boolean): boolean {
  if (config.logFormat !== 'auto') return config.logFormat === 'pretty';
  return stdoutIsTerminal && config.nodeEnv !== 'production';
}

function prettyStream() {
  return pretty({
    // Synchronous, so the lines written just before a `process.exit` are not lost.
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    messageFormat: '{if context}{context}: {end}{msg}',
    // The request line says it all; the fields stay in the JSON format for the log collector.
    ignore: 'pid,hostname,service,context,req,res,responseTime',
  });
}

// Nest's boot narration: one line per module and one per route. Useful when a route is missing,
// noise on every start.
const BOOT_DETAIL_CONTEXTS = new Set([
  'NestFactory',
  'NestApplication',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
]);

/**
 * Nest's logger (nestjs-pino underneath) with Nest's boot narration at `debug`: at the default
 * `info` a start is a few lines; `LOG_LEVEL=debug` shows the modules and the route table.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && BOOT_DETAIL_CONTEXTS.has(context)) {
      this.logger.debug(message, ...optionalParams);
    } else {
      this.logger.log(message, ...optionalParams);
    }
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.error(message, ...optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.warn(message, ...optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.debug(message, ...optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.verbose(message, ...optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.fatal(message, ...optionalParams);
  }
}
