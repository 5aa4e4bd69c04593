import { join } from 'node:path';
import { BENCH_DIST } from '../paths';
import { freePort } from '@chat/test-support';
import { ServerProcess } from '../infra/server-process';
import { type Contender, type Deployment, type DeployOptions } from './contender';

/** The upper bound: one process, raw `ws`, in-memory rooms. */
export class RawWsContender implements Contender {
  readonly name = 'ws' as const;
  readonly label = 'raw ws (1 process)';
  readonly description =
    'Upper bound: a single process with `ws`, rooms in memory, one serialisation per message; no Redis, no auth, no persistence.';
  readonly kind = 'ws' as const;
  readonly maxInstances = 1;

  async setUp(): Promise<void> {}

  async deploy(options: DeployOptions): Promise<Deployment> {
    const port = await freePort();
    const inspectPort = options.inspect ? await freePort() : null;
    const server = await ServerProcess.start({
      label: 'ws',
      entry: join(BENCH_DIST, 'servers/ws-server.js'),
      port,
      environment: { HEARTBEAT_MS: String(options.heartbeatMs) },
      readyPath: '/health',
      nodeArguments: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
    });
    return {
      endpoints: [`ws://127.0.0.1:${port}`],
      servers: [server],
      inspectPorts: [inspectPort],
      pids: () => [server.pid],
      stop: () => server.stop(),
    };
  }

  room(index: number): string {
    return `room-${index}`;
  }

  memberCredential(): undefined {
    return undefined;
  }

  writerCredential(): undefined {
    return undefined;
  }

  idleCredential(): undefined {
    return undefined;
  }

  redis(): null {
    return null;
  }

  helperPids(): number[] {
    return [];
  }

  async tearDown(): Promise<void> {}
}
