import { Controller, Get, Res } from '@nestjs/common';
import { type Response } from 'express';
import { type Engine } from '@chat/protocol';
import { EngineHealth } from './engine-health';
import { Readiness } from './readiness';

const READY_CHECK_TIMEOUT_MS = 1_000;

@Controller('health')
export class HealthController {
  constructor(
    private readonly engineHealth: EngineHealth,
    private readonly readiness: Readiness,
  ) {}

  /** Liveness: the process answers. Never depends on Redis, so a Redis outage restarts nothing. */
  @Get()
  live(): { status: 'ok'; engine: Engine } {
    return { status: 'ok', engine: this.engineHealth.engine };
  }

  /** Readiness: 503 while draining or while the system of record is unreachable. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    if (this.readiness.isDraining) {
      response.status(503);
      return { status: 'draining', engine: this.engineHealth.engine };
    }
    if (!(await this.engineHealth.isReachable(READY_CHECK_TIMEOUT_MS))) {
      response.status(503);
      return { status: 'unavailable', engine: this.engineHealth.engine };
    }
    return { status: 'ready', engine: this.engineHealth.engine };
  }
}
