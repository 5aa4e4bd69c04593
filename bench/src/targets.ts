import { type ContenderName } from './contenders/contender';
import {
  type BenchResults,
  type FanoutResult,
  type FanoutStep,
  type ScaleFigure,
  type ScaleFigureName,
  type Target,
} from './results';
import { PROFILES } from './profiles';
import { scaleFigureLabel } from './scale-figures';
import { shardLabel, shardSpread, type Spread } from './shard-spread';
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
  /** On a Redis Cluster, the busiest master's commands and CPU against the masters' mean, at most. */
  clusterShardSpreadMax: 1.5,
  scale: {
    /** Every figure's p50 and p99 at the largest size against the smallest, at most. */
    growthMax: 1.5,
    /** A page of the thread list at the largest size. */
    listP99Ms: 30,
    listBytes: 60 * KB,
    /** From the upgrade request to the socket's `ready` frame, at the largest size. */
    readyP99Ms: 50,
  },
} as const;

/** The figures that are a page of the thread list (searches are judged by growth alone). */
export const LIST_PAGE_FIGURES: ScaleFigureName[] = ['list', 'list-later', 'list-unread'];

export interface ScaleGrowth {
  figure: ScaleFigureName;
  viewer: ScaleFigure['viewer'];
  percentile: 'p50' | 'p99';
  fromMs: number;
  toMs: number;
  ratio: number;
}

/** Each figure's p50 and p99 at the largest size over its value at the smallest. */
export function scaleGrowth(scale: NonNullable<BenchResults['scale']>): ScaleGrowth[] {
  const first = scale.steps[0];
  const last = scale.steps.at(-1);
  if (!first || !last || first === last) return [];
  return last.figures.flatMap((figure) => {
    const before = first.figures.find(
      (entry) => entry.figure === figure.figure && entry.viewer === figure.viewer,
    );
    if (!before) return [];
    return (['p50', 'p99'] as const).map((percentile) => ({
      figure: figure.figure,
      viewer: figure.viewer,
      percentile,
      fromMs: before.latencyMs[percentile],
      toMs: figure.latencyMs[percentile],
      ratio:
        before.latencyMs[percentile] > 0
          ? figure.latencyMs[percentile] / before.latencyMs[percentile]
          : Infinity,
    }));
  });
}

const FANOUT_PEERS: Array<{ name: keyof typeof TARGETS.fanoutVersus; label: string }> = [
  { name: 'socketio', label: 'socket.io + sharded adapter' },
  { name: 'socketio-streams', label: 'socket.io + streams adapter' },
  { name: 'ws', label: 'raw ws upper bound' },
];

const threadsText = (value: number) => `${value.toLocaleString('en-US')} threads`;
const msText = (value: number) => `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`;
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

/**
 * The fanout step at which a Cluster's spread is judged: the best one (the highest delivered
 * rate within the p99 limit, nothing missing), else the one that delivered most.
 */
export function clusterJudgedStep(
  entry: FanoutResult,
): { step: FanoutStep; withinLimit: boolean } | null {
  const measured = entry.steps.filter((step) => step.shards?.length);
  const best =
    entry.bestStep && measured.find((step) => step.offeredRate === entry.bestStep!.offeredRate);
  if (best) return { step: best, withinLimit: true };
  const busiest = [...measured].sort((a, b) => b.deliveredRate - a.deliveredRate)[0];
  return busiest ? { step: busiest, withinLimit: false } : null;
}

function judgeClusterSpread(results: Omit<BenchResults, 'targets'>): Target {
  const max = TARGETS.clusterShardSpreadMax;
  const name = 'Redis Cluster: load spread over the masters';
  const goal = `no master above ${max}× the masters' mean, in commands and in CPU, at the best fanout step`;
  const entry = results.fanout.find((candidate) => candidate.contender === 'api-cluster');
  if (!entry) return notMeasured(name, goal, 'this API on Redis Cluster not in this run');
  const judged = clusterJudgedStep(entry);
  const spread = judged && shardSpread(judged.step);
  if (!judged || !spread?.commands || !spread.cpu) {
    return notMeasured(name, goal, 'no step with per-master figures');
  }
  const shards = judged.step.shards!;
  const text = (what: string, value: Spread) =>
    `${what} ${ratioText(value.ratio, max, 'at most')} (${shardLabel(shards[value.busiest]!)})`;
  return {
    name,
    goal,
    value: `busiest master: ${text('commands', spread.commands)}, ${text('CPU', spread.cpu)} at ${judged.step.offeredRate.toLocaleString('en-US')} msgs/s${judged.withinLimit ? '' : ' (the step that delivered most: none kept the p99 limit)'}`,
    met: spread.commands.ratio <= max && spread.cpu.ratio <= max,
  };
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

  targets.push(judgeClusterSpread(results));

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
  targets.push(...judgeScale(results));
  return targets;
}

/** The inbox goals: growth from the smallest size to the largest, list pages and `ready` there. */
function judgeScale(results: Omit<BenchResults, 'targets'>): Target[] {
  const goals = TARGETS.scale;
  const steps = results.scale?.steps ?? [];
  const first = steps[0];
  const last = steps.at(-1);
  // Without measurements, the goals read as the full run sets them.
  const planned = PROFILES.full.scale.sizes;
  const sizes =
    first && last
      ? { from: first.threads, to: last.threads }
      : { from: planned[0]!, to: planned.at(-1)! };
  const at = threadsText(sizes.to);
  const names = {
    growth: 'Inbox at scale: growth',
    list: 'Inbox at scale: list page',
    ready: 'Inbox at scale: socket ready',
  };
  const growthGoal = `every figure's p50 and p99 at ${at} ≤ ${goals.growthMax}× its value at ${sizes.from.toLocaleString('en-US')}`;
  const listGoal = `≤ ${goals.listP99Ms} ms p99 and ≤ ${goals.listBytes / KB} KB at ${at}`;
  const readyGoal = `≤ ${goals.readyP99Ms} ms p99 at ${at}`;
  if (!first || !last) {
    const why = 'this run did not include the scale workload';
    return [
      notMeasured(names.growth, growthGoal, why),
      notMeasured(names.list, listGoal, why),
      notMeasured(names.ready, readyGoal, why),
    ];
  }
  const targets: Target[] = [];
  const growth = scaleGrowth(results.scale!);
  if (!growth.length) {
    targets.push(notMeasured(names.growth, growthGoal, 'only one size in this run'));
  } else {
    const over = growth.filter((entry) => entry.ratio > goals.growthMax);
    const worst = [...growth].sort((a, b) => b.ratio - a.ratio)[0]!;
    targets.push({
      name: names.growth,
      goal: growthGoal,
      value: `worst ${ratioText(worst.ratio, goals.growthMax, 'at most')} (${scaleFigureLabel(worst.figure)}, ${worst.viewer}, ${worst.percentile} ${msText(worst.fromMs)} → ${msText(worst.toMs)}); ${over.length} of ${growth.length} over ${goals.growthMax}×`,
      met: over.length === 0,
    });
  }
  const pages = last.figures.filter((figure) => LIST_PAGE_FIGURES.includes(figure.figure));
  if (!pages.length) {
    targets.push(notMeasured(names.list, listGoal, 'no list page measured'));
  } else {
    const slowest = [...pages].sort((a, b) => b.latencyMs.p99 - a.latencyMs.p99)[0]!;
    const largest = [...pages].sort((a, b) => b.bytes - a.bytes)[0]!;
    targets.push({
      name: names.list,
      goal: listGoal,
      value: `p99 up to ${msText(slowest.latencyMs.p99)} (${scaleFigureLabel(slowest.figure)}, ${slowest.viewer}), up to ${(largest.bytes / KB).toFixed(1)} KB (${scaleFigureLabel(largest.figure)}, ${largest.viewer})`,
      met: slowest.latencyMs.p99 <= goals.listP99Ms && largest.bytes <= goals.listBytes,
    });
  }
  const ready = last.figures.filter((figure) => figure.figure === 'ready');
  if (!ready.length) {
    targets.push(notMeasured(names.ready, readyGoal, 'no socket measured'));
  } else {
    const slowest = [...ready].sort((a, b) => b.latencyMs.p99 - a.latencyMs.p99)[0]!;
    targets.push({
      name: names.ready,
      goal: readyGoal,
      value: `p99 up to ${msText(slowest.latencyMs.p99)} (${slowest.viewer})`,
      met: slowest.latencyMs.p99 <= goals.readyP99Ms,
    });
  }
  return targets;
}
