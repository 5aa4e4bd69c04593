import { now, sleep } from '../clock';
import { BENCH_ORIGIN, type Contender } from '../contenders/contender';
import { Inspector } from '../infra/inspector';
import { loopbackSource } from '../infra/ports';
import { CpuMeter, settle } from '../infra/process-stats';
import { type SocketSpec } from '../load/ipc';
import { WorkerPool } from '../load/pool';
import { type CapacityResult } from '../results';
import { type RunContext } from './context';

const SOCKETS_PER_WORKER = 5_000;

/**
 * Capacity: idle (for the API: authenticated) sockets on one server process, rising; memory
 * after a forced GC at each step, then the CPU the process spends on heartbeats at the top.
 */
export async function runCapacity(
  context: RunContext,
  contender: Contender,
): Promise<CapacityResult> {
  const parameters = context.profile.capacity;
  const progress = context.progress;
  const top = parameters.steps.at(-1) ?? 0;
  const deployment = await contender.deploy({
    instances: 1,
    heartbeatMs: parameters.heartbeatMs,
    inspect: true,
  });
  const workers = Math.max(1, Math.ceil(top / SOCKETS_PER_WORKER));
  const pool = WorkerPool.start(workers);
  const inspector = await Inspector.connect(deployment.inspectPorts[0]!);
  const result: CapacityResult = {
    contender: contender.name,
    baseline: { rssBytes: 0, heapUsedBytes: 0 },
    steps: [],
    reached: 0,
    rssPerSocketBytes: 0,
    heapPerSocketBytes: 0,
    heartbeat: {
      intervalMs: parameters.heartbeatMs,
      windowMs: parameters.heartbeatWindowMs,
      serverCpuPercent: 0,
      redisCpuPercent: 0,
      cpuMsPerRoundPer1k: 0,
      socketsLost: 0,
    },
    errors: [],
  };
  try {
    const baseline = await inspector.memoryAfterGc();
    result.baseline = { rssBytes: baseline.rss, heapUsedBytes: baseline.heapUsed };
    let opened = 0;
    for (const target of parameters.steps) {
      const specs: SocketSpec[][] = Array.from({ length: workers }, () => []);
      for (let id = opened; id < target; id++) {
        const worker = id % workers;
        specs[worker]!.push({
          id,
          urls: deployment.endpoints,
          role: 'idle',
          credential: contender.idleCredential(id),
          localAddress: loopbackSource(worker),
        });
      }
      progress.update(`capacity ${contender.label}: connecting to ${target} sockets`);
      const startedAt = now();
      const connected = await pool.connect(
        specs.map((list) => ({
          type: 'connect',
          kind: contender.kind,
          sockets: list,
          concurrency: 100,
          origin: BENCH_ORIGIN,
          reconnect: null,
          timeoutMs: 30_000,
        })),
      );
      const elapsedMs = now() - startedAt;
      const added = connected.reduce((sum, part) => sum + part.connected, 0);
      result.errors.push(...connected.flatMap((part) => part.errors).slice(0, 5));
      opened = target;
      result.reached += added;
      await settle(() => deployment.pids());
      const memory = await inspector.memoryAfterGc();
      result.steps.push({
        sockets: target,
        connected: result.reached,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        connectPerSecond: (added * 1000) / elapsedMs,
      });
      progress.log(
        `capacity ${contender.label}: ${result.reached} sockets, RSS ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB, ${Math.round((added * 1000) / elapsedMs)} connects/s`,
      );
      if (added < target - (result.steps.at(-2)?.sockets ?? 0)) break;
    }
    const last = result.steps.at(-1);
    if (last && result.reached > 0) {
      result.rssPerSocketBytes = (last.rssBytes - baseline.rss) / result.reached;
      result.heapPerSocketBytes = (last.heapUsedBytes - baseline.heapUsed) / result.reached;
    }

    progress.update(
      `capacity ${contender.label}: measuring heartbeat CPU over ${parameters.heartbeatWindowMs / 1000} s`,
    );
    const serverCpu = new CpuMeter(() => deployment.servers.map((server) => server.pid));
    const redisCpu = new CpuMeter(() => contender.helperPids());
    serverCpu.begin();
    redisCpu.begin();
    await sleep(parameters.heartbeatWindowMs);
    const server = serverCpu.end();
    const redis = redisCpu.end();
    const stats = await pool.stats();
    const open = stats.reduce((sum, part) => sum + part.openSockets, 0);
    const rounds = server.elapsedMs / parameters.heartbeatMs;
    result.heartbeat = {
      intervalMs: parameters.heartbeatMs,
      windowMs: parameters.heartbeatWindowMs,
      serverCpuPercent: server.percent,
      redisCpuPercent: redis.percent,
      cpuMsPerRoundPer1k: result.reached > 0 ? server.cpuMs / rounds / (result.reached / 1000) : 0,
      socketsLost: result.reached - open,
    };
    progress.log(
      `capacity ${contender.label}: idle with ${open} sockets, heartbeat every ${parameters.heartbeatMs / 1000} s: server ${server.percent.toFixed(1)} % CPU, Redis ${redis.percent.toFixed(1)} %`,
    );
    if (context.profileDir) {
      await inspector.heapSnapshot(`${context.profileDir}/capacity-${contender.name}.heapsnapshot`);
    }
  } finally {
    inspector.close();
    await pool.close();
    await deployment.stop();
  }
  return result;
}
