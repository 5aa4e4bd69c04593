import { Injectable } from '@nestjs/common';
import { EngineHealth } from '../../../modules/health/engine-health';

@Injectable()
export class MemoryEngineHealth extends EngineHealth {
  readonly engine = 'memory' as const;

  async isReachable(): Promise<boolean> {
    return true;
  }
}
