import { type ContenderName } from './contenders/contender';
import { type BenchResults, type FanoutResult, type FanoutStep, type Target } from './results';
import { FANOUT_P99_LIMIT_MS } from './workloads/fanout';

const KB = 1000;
export const TARGETS = {
  /** This API's best fanout rate at p99 ≤ 100 ms against each peer's, same run. */
  fanoutVersus: { socketio: 1.0, 'socketio-streams': 1.5, ws: 0.5 },
  /** This API's server CPU per delivery against socket.io's (sharded adapter), at most. */
  serverCpuPerDeliveryVersusSocketIo: 1.0,
  capacitySockets: 15_000,
  rssPerSocketBytes: 25 * KB,
  stormResumeMs: 10_000,
  proxyOverheadP50Ms: 2,
} as const;

const FANOUT_PEERS: Array<{ name: keyof typeof TARGETS.fanoutVersus; label: string }> = [
  { name: 'socketio', label: 'socket.io + sharded adapter' },
  { name: 'socketio-streams', label: 'socket.io + streams adapter' },
  { name: 'ws', label: 'raw ws upper bound' },
];

const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
const micros = (value: number) => `${value.toFixed(1)} µs`;

/**
 * A ratio to two decimals, or to as many more as it takes for the text to stay on the same side
 * of `goal` as the ratio (0.4994 against at least 0.5 reads 0.499×, not 0.50×; 1.0004 against
 * at most 1 reads 1.0004×).
 */
export function ratioText(
  ratio: number,
  goal: number,
  side: 'at least' | 'at most' = 'at least',
): string {
  const meets = (value: number) => (side === 'at least' ? value >= goal : value <= goal);
  let decimals = 2;
  while (decimals < 6 && meets(Number(ratio.toFixed(decimals))) !== meets(ratio)) decimals++;
  return `${ratio.toFixed(decimals)}×`;
}

function healthy(step: FanoutStep): boolean {
  return step.missing === 0 && step.duplicates === 0 && step.latencyMs.p99 <= FANOUT_P99_LIMIT_MS;
}

/**
 * The steps at which two contenders' CPU per delivery is compared: the same offered rate, the
 * highest both kept within the p99 limit with nothing missing (past saturation CPU goes to
 * queues, not deliveries), or failing that the lowest rate both ran.
 */
export function comparableSteps(
  ours: FanoutResult,
  theirs: FanoutResult,
): { rate: number; ours: FanoutStep; theirs: FanoutStep; withinLimit: boolean } | null {
  const pairs = ours.steps.flatMap((step) => {
    const peer = theirs.steps.find((other) => other.offeredRate === step.offeredRate);
    return peer ? [{ rate: step.offeredRate, ours: step, theirs: peer }] : [];
  });
  const withinLimit = pairs.filter((pair) => healthy(pair.ours) && healthy(pair.theirs));
  const highest = withinLimit.sort((a, b) => b.rate - a.rate)[0];
  if (highest) return { ...highest, withinLimit: true };
  const lowest = pairs.sort((a, b) => a.rate - b.rate)[0];
  return lowest ? { ...lowest, withinLimit: false } : null;
}

function notMeasured(name: string, goal: string, why: string): Target {
  return { name, goal, value: `not measured: ${why}`, met: null };
}

/** The issue's targets, judged from the printed numbers of one run. */
export function judgeTargets(results: Omit<BenchResults, 'targets'>): Target[] {
  const targets: Target[] = [];
  const fanout = (name: ContenderName) => results.fanout.find((entry) => entry.contender === name);
  const api = fanout('api');
  for (const peer of FANOUT_PEERS) {
    const goal = TARGETS.fanoutVersus[peer.name];
    const name = `Fanout vs ${peer.label}`;
    const target = `≥ ${goal.toFixed(1)}× its delivered rate at p99 ≤ ${FANOUT_P99_LIMIT_MS} ms`;
    const theirs = fanout(peer.name);
    if (!api || !theirs) {
      targets.push(notMeasured(name, target, `${api ? peer.label : 'this API'} not in this run`));
      continue;
    }
    const ratio =
      theirs.bestDeliveredRate > 0
        ? api.bestDeliveredRate / theirs.bestDeliveredRate
        : api.bestDeliveredRate > 0
          ? Infinity
          : 0;
    targets.push({
      name,
      goal: target,
      value: `${rate(api.bestDeliveredRate)} vs ${rate(theirs.bestDeliveredRate)} (${ratioText(ratio, goal)})`,
      met: ratio >= goal,
    });
  }

  const cpuName = 'Server CPU per delivery vs socket.io + sharded adapter';
  const cpuGoal = `≤ ${TARGETS.serverCpuPerDeliveryVersusSocketIo.toFixed(1)}× its µs per delivery, at the highest rate both keep p99 ≤ ${FANOUT_P99_LIMIT_MS} ms`;
  const socketIo = fanout('socketio');
  const pair = api && socketIo ? comparableSteps(api, socketIo) : null;
  const ourCpu = pair?.ours.serverCpuMicrosPerDelivery;
  const theirCpu = pair?.theirs.serverCpuMicrosPerDelivery;
  if (!api || !socketIo) {
    targets.push(
      notMeasured(
        cpuName,
        cpuGoal,
        `${api ? 'socket.io + sharded adapter' : 'this API'} not in this run`,
      ),
    );
  } else if (!pair) {
    targets.push(notMeasured(cpuName, cpuGoal, 'no offered rate that both ran'));
  } else if (typeof ourCpu !== 'number' || typeof theirCpu !== 'number') {
    targets.push(notMeasured(cpuName, cpuGoal, 'this run did not record CPU per delivery'));
  } else {
    const ratio = theirCpu > 0 ? ourCpu / theirCpu : Infinity;
    const redis = (step: FanoutStep) =>
      typeof step.redisCpuMicrosPerDelivery === 'number'
        ? micros(step.redisCpuMicrosPerDelivery)
        : '—';
    targets.push({
      name: cpuName,
      goal: cpuGoal,
      value: `${micros(ourCpu)} vs ${micros(theirCpu)} (${ratioText(ratio, TARGETS.serverCpuPerDeliveryVersusSocketIo, 'at most')}) at ${pair.rate.toLocaleString('en-US')} msgs/s${pair.withinLimit ? '' : ' (the lowest both ran: at no rate did both keep the p99 limit)'}; Redis ${redis(pair.ours)} vs ${redis(pair.theirs)}`,
      met: ratio <= TARGETS.serverCpuPerDeliveryVersusSocketIo,
    });
  }

  const capacity = results.capacity.find((entry) => entry.contender === 'api');
  if (capacity) {
    const wanted = Math.min(TARGETS.capacitySockets, results.parameters.capacity.steps.at(-1) ?? 0);
    targets.push({
      name: 'Capacity on one API process',
      goal: `${wanted.toLocaleString('en-US')} sockets at ≤ 25 KB RSS per socket`,
      value: `${capacity.reached.toLocaleString('en-US')} sockets, ${(capacity.rssPerSocketBytes / KB).toFixed(1)} KB RSS per socket`,
      met: capacity.reached >= wanted && capacity.rssPerSocketBytes <= TARGETS.rssPerSocketBytes,
    });
  }
  const storm = results.storm.find((entry) => entry.contender === 'api');
  if (storm) {
    targets.push({
      name: 'Reconnect storm',
      goal: `all ${storm.disconnected.toLocaleString('en-US')} dropped sockets resumed within 10 s, 0 lost, 0 duplicated`,
      value: `${storm.resumed}/${storm.disconnected} resumed, last after ${storm.allResumedMs === null ? 'never' : `${(storm.allResumedMs / 1000).toFixed(1)} s`}, ${storm.lost} lost, ${storm.duplicated} duplicated`,
      met:
        storm.disconnected > 0 &&
        storm.allResumedMs !== null &&
        storm.allResumedMs <= TARGETS.stormResumeMs &&
        storm.lost === 0 &&
        storm.duplicated === 0,
    });
  }
  if (results.http) {
    const overhead = results.http.proxyOverheadP50Ms;
    targets.push({
      name: 'Web proxy route overhead',
      goal: `≤ ${TARGETS.proxyOverheadP50Ms} ms at p50`,
      value:
        overhead === null
          ? `not measured: ${results.http.note ?? 'no proxy'}`
          : `${overhead.toFixed(2)} ms`,
      met: overhead === null ? null : overhead <= TARGETS.proxyOverheadP50Ms,
    });
  }
  return targets;
}
