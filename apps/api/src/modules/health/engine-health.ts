import { type Engine } from '@chat/protocol';

/** What readiness asks the storage engine. */
export abstract class EngineHealth {
  abstract readonly engine: Engine;
  /** Resolves true when the system of record answers within `timeoutMs`. */
  abstract isReachable(timeoutMs: number): Promise<boolean>;
}
