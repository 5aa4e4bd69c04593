import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWork, parseNodeSample, RedisMeter, topCommands } from '../src/infra/redis-meter';
import { RedisServer } from '../src/infra/redis-server';
import { renderReport, renderSummary } from '../src/report/markdown';
import {
  type BenchResults,
  type FanoutResult,
  type FanoutStep,
  type ShardWork,
} from '../src/results';
import { shardLabel, shardSpread, spreadOf } from '../src/shard-spread';
import { judgeTargets } from '../src/targets';
import { earlierResults, fanoutResult, fanoutStep } from './fanout-fixtures';

describe(spreadOf.name, () => {
  it('is the busiest shard against the mean', () => {
    expect(spreadOf([10, 10, 10])).toEqual({ mean: 10, max: 10, busiest: 0, ratio: 1 });
    expect(spreadOf([12, 15, 13])).toEqual({ mean: 40 / 3, max: 15, busiest: 1, ratio: 1.125 });
    // One shard doing everything: the shard count.
    expect(spreadOf([0, 0, 30])).toMatchObject({ busiest: 2, ratio: 3 });
    expect(spreadOf([5, 9, 9])?.busiest).toBe(1);
  });

  it('has nothing to say when nothing was done', () => {
    expect(spreadOf([])).toBeNull();
    expect(spreadOf([0, 0, 0])).toBeNull();
  });
});

/** A master's figures in a window of 8 s. */
function shard(
  first: number,
  last: number,
  commands: number,
  cpuPercent: number,
  extra: Partial<ShardWork> = {},
): ShardWork {
  return {
    slotRanges: [[first, last]],
    rooms: 10,
    holds: [],
    windowSeconds: 8,
    commands,
    cpuPercent,
    topCommands: { hget: Math.round(commands / 5), evalsha: Math.round(commands / 10) },
    ...extra,
  };
}

const SLOTS: Array<[number, number]> = [
  [0, 5460],
  [5461, 10922],
  [10923, 16383],
];

function step(
  offeredRate: number,
  p99: number,
  commands: [number, number, number],
  cpu: [number, number, number],
): FanoutStep {
  return fanoutStep(offeredRate, p99, {
    members: 25,
    seconds: 4,
    serverCpuPercent: 60,
    redisCpuPercent: 30,
    serverCpuMicrosPerDelivery: 20,
    redisCpuMicrosPerDelivery: 10,
    redisCommandsPerMessage: 150,
    shards: SLOTS.map(([first, last], index) =>
      shard(first, last, commands[index]!, cpu[index]!, {
        rooms: [10, 16, 14][index]!,
        holds: index === 1 ? ['the platform-wide inbox'] : [],
      }),
    ),
  });
}

const clusterFanout = (steps: FanoutStep[]) => fanoutResult('api-cluster', steps, 1_000);

/** A full run from before the Cluster contender, with `fanout` replaced. */
function resultsWith(fanout: FanoutResult[]): BenchResults {
  const earlier = earlierResults();
  const results = {
    ...earlier,
    contenders: [
      ...earlier.contenders,
      { name: 'api-cluster' as const, label: 'this API on Redis Cluster', description: 'test' },
    ],
    fanout,
  };
  return { ...results, targets: judgeTargets(results) };
}

const spreadTarget = (results: BenchResults) =>
  judgeTargets(results).find((target) => target.name.startsWith('Redis Cluster'));

describe('the Cluster spread target', () => {
  it('is met when no master is above 1.5× the mean in commands or CPU at the best step', () => {
    const results = resultsWith([
      clusterFanout([
        step(200, 20, [1_000, 1_400, 1_100], [10, 14, 11]),
        // The best step: 1.25× and 1.30× the mean.
        step(400, 60, [2_000, 2_500, 1_500], [20, 26, 14]),
        // Past the p99 limit, and lopsided: not the step that is judged.
        step(800, 400, [2_000, 8_000, 2_000], [20, 90, 20]),
      ]),
    ]);
    expect(spreadTarget(results)).toEqual({
      name: 'Redis Cluster: load spread over the masters',
      goal: "no master above 1.5× the masters' mean, in commands and in CPU, at the best fanout step",
      value:
        'busiest master: commands 1.25× (slots 5461–10922), CPU 1.30× (slots 5461–10922) at 400 msgs/s',
      met: true,
    });
  });

  it('is missed by one master above 1.5× the mean in commands, or in CPU alone', () => {
    const commands = resultsWith([
      clusterFanout([step(400, 60, [1_000, 2_600, 1_400], [20, 20, 20])]),
    ]);
    expect(spreadTarget(commands)).toMatchObject({
      value:
        'busiest master: commands 1.56× (slots 5461–10922), CPU 1.00× (slots 0–5460) at 400 msgs/s',
      met: false,
    });
    const cpu = resultsWith([clusterFanout([step(400, 60, [1_000, 1_000, 1_000], [10, 10, 40])])]);
    expect(spreadTarget(cpu)).toMatchObject({
      value:
        'busiest master: commands 1.00× (slots 0–5460), CPU 2.00× (slots 10923–16383) at 400 msgs/s',
      met: false,
    });
  });

  it('falls back to the step that delivered most when none kept the p99 limit', () => {
    const results = resultsWith([
      clusterFanout([
        step(200, 150, [1_000, 1_000, 1_000], [10, 10, 10]),
        step(400, 300, [1_000, 1_100, 1_000], [10, 11, 10]),
      ]),
    ]);
    expect(spreadTarget(results)?.value).toBe(
      'busiest master: commands 1.06× (slots 5461–10922), CPU 1.06× (slots 5461–10922) at 400 msgs/s (the step that delivered most: none kept the p99 limit)',
    );
  });

  it('says "not measured" without the Cluster contender or its per-master figures', () => {
    expect(spreadTarget(resultsWith([]))).toMatchObject({
      value: 'not measured: this API on Redis Cluster not in this run',
      met: null,
    });
    const bare = step(400, 60, [1, 1, 1], [1, 1, 1]);
    delete bare.shards;
    expect(spreadTarget(resultsWith([clusterFanout([bare])]))).toMatchObject({
      value: 'not measured: no step with per-master figures',
      met: null,
    });
  });
});

describe('the Cluster section of the report', () => {
  const findings = '_findings_';

  it('shows each step per master, the spread in bold past 1.5×, and each master at the best step', () => {
    const results = resultsWith([
      clusterFanout([
        step(200, 20, [8_000, 12_800, 11_200], [10, 14, 11]),
        step(400, 60, [16_000, 20_000, 12_000], [20, 26, 14]),
      ]),
    ]);
    const { markdown, charts } = renderReport(results, { resultsFile: 'x.json', findings });
    const section = markdown.slice(
      markdown.indexOf('## Redis Cluster'),
      markdown.indexOf('## Capacity'),
    );

    expect(section).toContain(
      'Masters in slot order: slots 0–5460 (10 of the 100 rooms), slots 5461–10922 (16 of the 100 rooms, the platform-wide inbox) and slots 10923–16383 (14 of the 100 rooms).',
    );
    expect(section).toContain(
      '| 200 | 5,000 | 5.00 / 20.0 | 150.0 | 1,000 / 1,600 / 1,400 | 1.20× | 10 % / 14 % / 11 % | 1.20× |',
    );
    expect(section).toContain(
      '| 400 | 10,000 | 15.0 / 60.0 | 150.0 | 2,000 / 2,500 / 1,500 | 1.25× | 20 % / 26 % / 14 % | 1.30× |',
    );
    expect(section).toContain('Each master at 400 msgs/s (the best step):');
    expect(section).toContain(
      '| slots 5461–10922 | 16 | the platform-wide inbox | 2,500 | 42 % | 26 % | hget×4000, evalsha×2000 |',
    );
    expect(charts['fanout-api-cluster.svg']).toContain('<svg');

    const lopsided = resultsWith([
      clusterFanout([step(400, 60, [1_000, 3_000, 1_000], [10, 10, 10])]),
    ]);
    expect(renderReport(lopsided, { resultsFile: 'x.json', findings }).markdown).toContain(
      '| **1.80×** |',
    );
    expect(renderSummary(lopsided)).toContain(
      'masters at   400 msgs/s: commands/s 125 / 375 / 125 (busiest 1.80× the mean), CPU 10 % / 10 % / 10 % (1.00×), 150.0 commands/msg',
    );
  });

  it('says how to measure it when the run did not', () => {
    const { markdown } = renderReport(resultsWith([]), { resultsFile: 'x.json', findings });
    expect(markdown).toContain('## Redis Cluster');
    expect(markdown).toContain(
      'Not measured in this run: `x.json` has no per-master figures (the workload failed; see the notes below).',
    );
    const earlier = resultsWith([]);
    earlier.contenders = earlier.contenders.filter((contender) => contender.name !== 'api-cluster');
    expect(renderReport(earlier, { resultsFile: 'x.json', findings }).markdown).toContain(
      'Not measured in this run: `x.json` predates the Cluster contender. `pnpm bench --workloads=fanout` runs it after the single-node API, `pnpm bench --only=api-cluster --workloads=fanout` alone.',
    );
  });
});

describe(shardSpread.name, () => {
  it('spreads commands and CPU separately, and is null for a single node', () => {
    const spread = shardSpread(step(400, 60, [1_000, 2_000, 3_000], [30, 20, 10]));
    expect(spread?.commands).toMatchObject({ busiest: 2, ratio: 1.5 });
    expect(spread?.cpu).toMatchObject({ busiest: 0, ratio: 1.5 });
    expect(shardSpread({})).toBeNull();
    expect(
      shardLabel({
        slotRanges: [
          [0, 100],
          [200, 200],
        ],
      }),
    ).toBe('slots 0–100, 200');
  });
});

describe(RedisMeter.name, () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    client = new Redis(server.url);
  });

  afterAll(async () => {
    client.disconnect();
    await server.dispose();
  });

  it("counts a script's inner commands and leaves out its own INFO", async () => {
    const sut = await RedisMeter.connect([server.url]);
    try {
      const before = await sut.sample();
      await client.eval("redis.call('SET', KEYS[1], 'a') redis.call('INCR', KEYS[2])", 2, 'x', 'y');
      const between = await sut.sample();
      await client.set('z', '1');
      const after = await sut.sample();

      const work = nodeWork(before[0]!, between[0]!);
      expect(work.calls).toEqual({ eval: 1, set: 1, incr: 1 });
      expect(work.commands).toBe(3);
      expect(work.cpuSeconds).toBeGreaterThanOrEqual(0);
      // Over both, with one sample of the meter in between.
      expect(nodeWork(before[0]!, after[0]!, 1).calls).toEqual({ eval: 1, set: 2, incr: 1 });
      expect(sut.nodes).toEqual([`127.0.0.1:${server.port}`]);
    } finally {
      sut.close();
    }
  });

  it('reads INFO as Redis prints it', () => {
    const info = [
      '# Stats',
      'total_commands_processed:52',
      '',
      '# Commandstats',
      'cmdstat_evalsha:calls=7,usec=120,usec_per_call=17.14,rejected_calls=0,failed_calls=0',
      'cmdstat_cluster|slots:calls=3,usec=30,usec_per_call=10.00,rejected_calls=0,failed_calls=0',
      '',
      '# CPU',
      'used_cpu_sys:0.250000',
      'used_cpu_user:1.500000',
      'used_cpu_sys_children:9.000000',
    ].join('\r\n');
    expect(parseNodeSample('127.0.0.1:7000', info, 5)).toEqual({
      node: '127.0.0.1:7000',
      atMs: 5,
      calls: { evalsha: 7, 'cluster|slots': 3 },
      cpuSeconds: 1.75,
    });
    expect(topCommands({ a: 1, b: 5, c: 5, d: 2 }, 3)).toEqual({ b: 5, c: 5, d: 2 });
  });
});
