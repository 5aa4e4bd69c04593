import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  let config;
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
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
