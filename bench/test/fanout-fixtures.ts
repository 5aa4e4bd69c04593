import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ContenderName } from '../src/contenders/contender';
import { RESULTS_DIRECTORY } from '../src/report/report-files';
import { type BenchResults, type FanoutResult, type FanoutStep } from '../src/results';

/**
 * A fanout step with nothing missing: `members` per room, measured for `seconds`, latencies
 * spread below `p99`; `overrides` set the CPU and Redis figures a test is about.
 */
export function fanoutStep(
  offeredRate: number,
  p99: number,
  { members, seconds, ...overrides }: Partial<FanoutStep> & { members: number; seconds: number },
): FanoutStep {
  const deliveredRate = offeredRate * members;
  return {
    offeredRate,
    offeredDeliveryRate: deliveredRate,
    deliveredRate,
    sent: offeredRate * seconds,
    expectedDeliveries: offeredRate * seconds * members,
    delivered: offeredRate * seconds * members,
    missing: 0,
    duplicates: 0,
    latencyMs: { count: 1_000, p50: p99 / 4, p95: p99 / 2, p99, max: p99, mean: p99 / 4 },
    serverCpuPercent: 50,
    redisCpuPercent: 5,
    clientCpuPercent: 40,
    redisCommandsPerMessage: 1,
    loadAverage: 1,
    foreignCpuPercent: 0,
    attempts: 1,
    errors: {},
    closes: {},
    ...overrides,
  };
}

/** A fanout result whose best step is the last one within 100 ms, as the workload picks it. */
export function fanoutResult(
  contender: ContenderName,
  steps: FanoutStep[],
  sockets: number,
): FanoutResult {
  const best =
    steps
      .filter((entry) => entry.latencyMs.p99 <= 100)
      .sort((a, b) => b.deliveredRate - a.deliveredRate)[0] ?? null;
  return {
    contender,
    instances: 2,
    sockets,
    connectMs: 1_000,
    steps,
    bestDeliveredRate: best?.deliveredRate ?? 0,
    bestStep: best,
    stoppedBecause: 'test',
  };
}

/** A full run from before the streams and Cluster contenders and CPU per delivery. */
export function earlierResults(): BenchResults {
  const file = join(RESULTS_DIRECTORY, '2026-12-02T14-16-49Z.json');
  return JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
}
