import 'reflect-metadata';
import { inspect } from 'node:util';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { type AppConfig, ConfigError, loadConfig } from './config/app-config';
import { RealtimeDrain } from './modules/realtime/lifecycle/realtime-drain';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
  const logger = new Logger('Bootstrap');
  if (config.engine === 'memory') {
    logger.warn(
      'No Redis configured: running on the embedded in-process engine. State lives in this process only; run exactly one replica and do not use it in production.',
    );
  }
  logger.log(
    `listening on :${config.port} (engine: ${config.engine}, demo data: ${config.demoSeed})`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    logger.log(`${signal}: draining (grace ${config.shutdownGraceMs} ms)`);
    // Whatever happens below, the process is gone by the end of the grace period.
    setTimeout(() => {
      logger.error('grace period over; exiting without a clean shutdown');
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    // Sockets get three quarters of the grace; closing the app (HTTP, Redis) the rest.
    const drainDeadline = startedAt + Math.floor(config.shutdownGraceMs * 0.75);
    app
      .get(RealtimeDrain)
      .drain(drainDeadline)
      .then(() => app.close())
      .then(
        () => {
          logger.log(`stopped in ${Date.now() - startedAt} ms`);
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

bootstrap().catch((error: unknown) => {
  // Before the logger exists: the error as Node prints it, stack included.
  process.stderr.write(`Failed to start: ${inspect(error)}\n`);
  process.exit(1);
});
