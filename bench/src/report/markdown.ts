import { type ContenderName } from '../contenders/contender';
import {
  type BenchResults,
  type FanoutResult,
  type FanoutStep,
  type ScaleFigureName,
  type ScaleResult,
  type ScaleStep,
  type StormResult,
} from '../results';
import { checkProblems, SCALE_FIGURES, scaleFigureLabel } from '../scale-figures';
import { shardLabel, shardSpread } from '../shard-spread';
import { clusterJudgedStep, judgeTargets, ratioText, scaleGrowth, TARGETS } from '../targets';
import { renderLineChart, type Series } from './svg-chart';

const COLORS: Record<ContenderName, string> = {
  api: '#1f6feb',
  'api-cluster': '#0f766e',
  socketio: '#d97706',
  'socketio-streams': '#9333ea',
  ws: '#15803d',
};

/** How each contender's clients come back in the reconnect storm. */
const STORM_REJOIN: Record<ContenderName, string> = {
  api: 'the API with `subscribe {since: last seq seen}`',
  'api-cluster': 'the API on Redis Cluster with `subscribe {since: last seq seen}`',
  socketio:
    'socket.io (sharded adapter) with a plain join, since that adapter has no connection state recovery',
  'socketio-streams':
    'socket.io (streams adapter) with its session id and last offset (connection state recovery), joining again only when the server did not restore the session',
  ws: 'raw `ws` with a plain join',
};

const NOT_MEASURED = 'not measured';

const MiB = 2 ** 20;
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
const pct = (value: number) => `${Math.round(value)} %`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
/** µs per delivery: null is "nothing to measure" (no Redis), absent is a run from before. */
const micros = (value: number | null | undefined) =>
  value === undefined ? NOT_MEASURED : value === null ? '—' : value.toFixed(1);
const cpuPerDelivery = (step: FanoutStep) =>
  step.serverCpuMicrosPerDelivery === undefined
    ? NOT_MEASURED
    : `${micros(step.serverCpuMicrosPerDelivery)} / ${micros(step.redisCpuMicrosPerDelivery)}`;
const recoveredText = (entry: StormResult) =>
  entry.contender === 'api' || entry.recovered === null
    ? 'n/a (`since`)'
    : entry.recovered === undefined
      ? NOT_MEASURED
      : int(entry.recovered);

function listed(items: string[]): string {
  return items.length < 2
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function labelOf(results: BenchResults, name: ContenderName): string {
  return results.contenders.find((contender) => contender.name === name)?.label ?? name;
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length ? entries.map(([key, value]) => `${key}×${value}`).join(', ') : '—';
}

export interface RenderedReport {
  markdown: string;
  /** File name (under docs/benchmarks/) → SVG text. */
  charts: Record<string, string>;
}

export const CHART_DIRECTORY = 'benchmarks';

function fanoutCharts(results: BenchResults): Record<string, string> {
  const charts: Record<string, string> = {};
  const compare: Series[] = results.fanout.map((entry) => ({
    name: labelOf(results, entry.contender),
    color: COLORS[entry.contender],
    points: entry.steps.map((step) => [step.deliveredRate, step.latencyMs.p99]),
  }));
  charts['fanout-p99.svg'] = renderLineChart({
    title: 'Fanout: p99 end-to-end latency vs delivered messages/s',
    xLabel: 'delivered messages per second (all sockets)',
    yLabel: 'p99 latency (ms, log scale)',
    series: compare,
    logY: true,
    threshold: { y: 100, label: 'p99 limit 100 ms' },
  });
  for (const entry of results.fanout) {
    const points = (pick: (step: FanoutResult['steps'][number]) => number) =>
      entry.steps.map((step): [number, number] => [step.deliveredRate, pick(step)]);
    const color = COLORS[entry.contender];
    charts[`fanout-${entry.contender}.svg`] = renderLineChart({
      title: `Fanout, ${labelOf(results, entry.contender)}: latency percentiles`,
      xLabel: 'delivered messages per second (all sockets)',
      yLabel: 'latency (ms, log scale)',
      series: [
        { name: 'p50', color, dash: '2 3', points: points((step) => step.latencyMs.p50) },
        { name: 'p95', color, dash: '7 4', points: points((step) => step.latencyMs.p95) },
        { name: 'p99', color, points: points((step) => step.latencyMs.p99) },
      ],
      logY: true,
      threshold: { y: 100, label: 'p99 limit 100 ms' },
    });
  }
  if (results.capacity.length) {
    charts['capacity-rss.svg'] = renderLineChart({
      title: 'Capacity: resident memory of one server process vs idle sockets',
      xLabel: 'open idle sockets',
      yLabel: 'RSS after GC (MiB)',
      series: results.capacity.map((entry) => ({
        name: labelOf(results, entry.contender),
        color: COLORS[entry.contender],
        points: [
          [0, entry.baseline.rssBytes / MiB] as [number, number],
          ...entry.steps.map((step): [number, number] => [step.connected, step.rssBytes / MiB]),
        ],
      })),
    });
  }
  return charts;
}

/** One color per scale figure; the staff member's line is solid, the customer's dashed. */
const SCALE_COLORS: Record<ScaleFigureName, string> = {
  list: '#1f6feb',
  'list-later': '#0891b2',
  'list-unread': '#15803d',
  'search-ref': '#d97706',
  'search-name': '#b45309',
  unread: '#9333ea',
  ready: '#db2777',
  post: '#4b5563',
};

const threads = (value: number) => `${int(value)} threads`;

function scaleChart(scale: ScaleResult, percentile: 'p50' | 'p99'): string {
  const series: Series[] = SCALE_FIGURES.flatMap((figure) =>
    (['staff', 'customer'] as const).map((viewer) => ({
      name: `${scaleFigureLabel(figure)}, ${viewer}`,
      color: SCALE_COLORS[figure],
      ...(viewer === 'customer' ? { dash: '5 4' } : {}),
      points: scale.steps.flatMap((step): Array<[number, number]> => {
        const entry = step.figures.find((item) => item.figure === figure && item.viewer === viewer);
        return entry ? [[step.threads, entry.latencyMs[percentile]]] : [];
      }),
    })),
  );
  return renderLineChart({
    title: `Inbox at scale: ${percentile} latency vs threads (staff solid, customer dashed)`,
    xLabel: 'threads the staff member and the customer can see (log scale)',
    yLabel: `${percentile} latency (ms, log scale)`,
    series,
    logX: true,
    logY: true,
    ...(percentile === 'p99'
      ? {
          thresholds: [
            { y: TARGETS.scale.listP99Ms, label: `list page goal ${TARGETS.scale.listP99Ms} ms` },
            { y: TARGETS.scale.readyP99Ms, label: `ready goal ${TARGETS.scale.readyP99Ms} ms` },
          ],
        }
      : {}),
    width: 900,
    height: 460,
    legendWidth: 250,
  });
}

/** How a step's data set came to be, for the tables. */
function madeText(step: ScaleStep): string {
  return step.build.source === 'cache'
    ? `loaded from \`bench/.cache/\` in ${step.build.seconds.toFixed(1)} s`
    : `made in ${step.build.seconds.toFixed(0)} s (${int(step.build.bookings)} bookings, ${int(step.build.posts)} posts, ${int(step.build.reads)} reads)`;
}

function growthText(ratio: number | undefined): string {
  if (ratio === undefined) return '—';
  const text = ratioText(ratio, TARGETS.scale.growthMax, 'at most');
  return ratio > TARGETS.scale.growthMax ? `**${text}**` : text;
}

function scaleSection(results: BenchResults, resultsFile: string): string[] {
  const scale = results.scale;
  const parts = ['## Inbox at scale', ''];
  if (!scale?.steps.length) {
    parts.push(
      `Not measured in this run: \`${resultsFile}\` ${results.scale === undefined ? 'predates the scale workload' : 'has no scale measurements (the workload failed or was left out; see the notes below)'}. \`pnpm bench --full\` measures it at 1,000, 10,000 and 100,000 threads, \`pnpm bench --workloads=scale\` at 1,000 and 10,000.`,
      '',
    );
    return parts;
  }
  const p = results.parameters.scale;
  const sizes = scale.steps.map((step) => step.threads);
  const last = scale.steps.at(-1)!;
  parts.push(
    `One staff member and one customer who can each see ${listed(sizes.map(int))} booking threads, in one Redis that grows between the measurements. The threads are made as the platform makes them: for each, a booking upserted through \`PUT /api/internal/bookings/:id\` (the customer its creator, the staff member its manager, all in one country), ${p.buildConcurrency} requests at once over two API instances; then their history, posted by the users: in one thread in ten the customer wrote (the staff member read half of those), in one in ten the staff member wrote (the customer read half), in one in fifty a colleague wrote and so joined it. Each of the two is left with unread messages in 7 % of the threads. While a size is made Redis does not fsync each write (the data is the same); it measures with \`appendfsync always\`.`,
    '',
    `Each figure is ${p.samples} requests one after another from a separate client process (after ${p.warmup} not counted), against one of the two API instances, for each of the two users. The staff member lists \`scope=all\` (every thread of the country), the customer their own threads, ${30} to a page; the later page is page ${p.laterPage}, reached through the cursors. The searches are \`${scale.queries.ref}\`, a booking ref as the app shows it (BK-100040 … BK-100049 start with it), and \`${scale.queries.name}\`, the colleague. *Socket ready* runs from the upgrade request of a new connection to its \`ready\` frame; *post* writes into one thread. Bytes are the JSON bodies as the API sends them, uncompressed. Before its figures each size is checked: every listing, paged to its end, shows each thread once; the unread filter and \`GET /api/chat/unread\` hold exactly the threads and counts that were written; each search finds exactly its threads.`,
    '',
    table(
      ['threads', 'data set', 'Redis memory', 'checks', 'load', 'other processes'],
      scale.steps.map((step) => [
        int(step.threads),
        madeText(step),
        `${(step.redisMemoryBytes / MiB).toFixed(0)} MiB`,
        step.checks.length === 0
          ? '—'
          : checkProblems(step.threads, step.checks).length
            ? `**${checkProblems(step.threads, step.checks).join('; ')}**`
            : 'all held',
        step.loadAverage.toFixed(2),
        pct(step.foreignCpuPercent),
      ]),
    ),
    '',
  );
  const growth = scaleGrowth(scale);
  const ratio = (figure: ScaleFigureName, viewer: string, percentile: 'p50' | 'p99') =>
    growth.find(
      (entry) =>
        entry.figure === figure && entry.viewer === viewer && entry.percentile === percentile,
    )?.ratio;
  parts.push(
    `p50 / p99 in ms; *growth* is the value at ${threads(last.threads)} over the value at ${int(sizes[0]!)}, in **bold** past ${TARGETS.scale.growthMax}×.`,
    '',
    table(
      [
        'figure',
        'user',
        ...sizes.map((size) => int(size)),
        `bytes at ${int(last.threads)}`,
        `threads on the page at ${int(last.threads)}`,
        'growth p50',
        'growth p99',
      ],
      SCALE_FIGURES.flatMap((figure) =>
        (['staff', 'customer'] as const).map((viewer) => {
          const at = (step: ScaleStep) =>
            step.figures.find((entry) => entry.figure === figure && entry.viewer === viewer);
          const top = at(last);
          return [
            scaleFigureLabel(figure),
            viewer,
            ...scale.steps.map((step) => {
              const entry = at(step);
              return entry ? `${ms(entry.latencyMs.p50)} / ${ms(entry.latencyMs.p99)}` : '—';
            }),
            top ? kb(top.bytes) : '—',
            top?.threads === null || top === undefined ? '—' : int(top.threads),
            growthText(ratio(figure, viewer, 'p50')),
            growthText(ratio(figure, viewer, 'p99')),
          ];
        }),
      ),
    ),
    '',
    '![p50 latency against threads](benchmarks/scale-p50.svg)',
    '',
    '![p99 latency against threads](benchmarks/scale-p99.svg)',
    '',
    'Each search paged to its end (30 threads a page) at each size:',
    '',
    table(
      ['threads', 'search', 'user', 'threads on page 1', 'pages', 'found / expected'],
      scale.steps.flatMap((step) =>
        step.checks.flatMap((entry) =>
          entry.searches.map((search) => [
            int(step.threads),
            `\`${search.query}\``,
            entry.viewer,
            int(search.firstPage),
            int(search.pages),
            `${int(search.found)} / ${int(search.expected)}`,
          ]),
        ),
      ),
    ),
    '',
    'What each figure sends:',
    '',
    table(
      ['figure', 'staff member', 'customer'],
      SCALE_FIGURES.map((figure) => {
        const request = (viewer: string) =>
          last.figures.find((entry) => entry.figure === figure && entry.viewer === viewer)
            ?.request ?? '—';
        return [scaleFigureLabel(figure), `\`${request('staff')}\``, `\`${request('customer')}\``];
      }),
    ),
    '',
  );
  return parts;
}

/** The busiest master against the mean, in bold past the target. */
function spreadText(ratio: number | undefined): string {
  if (ratio === undefined) return '—';
  const text = ratioText(ratio, TARGETS.clusterShardSpreadMax, 'at most');
  return ratio > TARGETS.clusterShardSpreadMax ? `**${text}**` : text;
}

const perMaster = (values: string[]) => values.join(' / ');

function clusterSection(results: BenchResults, resultsFile: string): string[] {
  const entry = results.fanout.find((candidate) => candidate.contender === 'api-cluster');
  const max = TARGETS.clusterShardSpreadMax;
  const parts = [
    '## Redis Cluster',
    '',
    `This API's fanout on a Redis Cluster (\`REDIS_CLUSTER_NODES\`): 3 masters with a replica each, every node with AOF and \`appendfsync always\`, the same users, sessions and threads as on the single node (moved in with \`redis-cli --cluster import\`), the same rooms, members, rates and 2 API instances as the fanout above. The rooms are booking threads named as the platform names them (\`th_<booking id>\`), so their slots fall where Redis's hash puts real threads. Each conversation's keys and room live on the master of its hash slot (\`{conversation:th_…}\`), each user's on that of \`{user:…}\`, the platform-wide inbox (\`{inbox}\`) on one master ([decision 0019](decisions/0019-redis-cluster-key-layout-and-split-steps.md)). For each master the run reads \`INFO commandstats\` and \`INFO cpu\` at both ends of every step's measured window: *commands/s* counts every call, a script's inner commands included; *CPU* is \`used_cpu_sys + used_cpu_user\` over the window, in % of one core. *Busiest ÷ mean* is the master with the most against the masters' mean (**bold** past ${max}×, the target, judged at the best step). *Redis commands/msg* counts all masters' commands from the start of a step until its deliveries are drained, over the messages sent. *Redis µs/delivery* in the fanout tables counts all six nodes, replicas included. The first table below gives each step's delivered rate and latency, the commands per message, each master's commands/s and CPU, and for each the busiest ÷ mean; the second, each master at the judged step: its rooms, what else it holds, its commands/s and share of them, its CPU, and the commands it ran most. \`pnpm bench\` prints the same per step in the terminal (a *masters at … msgs/s* line under the fanout table).`,
    '',
  ];
  if (!entry?.steps.some((step) => step.shards?.length)) {
    parts.push(
      `Not measured in this run: \`${resultsFile}\` ${results.contenders.some((contender) => contender.name === 'api-cluster') ? 'has no per-master figures (the workload failed; see the notes below)' : 'predates the Cluster contender'}. \`pnpm bench --workloads=fanout\` runs it after the single-node API, \`pnpm bench --only=api-cluster --workloads=fanout\` alone.`,
      '',
    );
    return parts;
  }
  const steps = entry.steps.filter((step) => step.shards?.length);
  const masters = steps[0]!.shards!;
  parts.push(
    `Masters in slot order: ${listed(masters.map((shard) => `${shardLabel(shard)} (${int(shard.rooms)} of the ${int(results.parameters.fanout.rooms)} rooms${shard.holds.length ? `, ${listed(shard.holds)}` : ''})`))}. Figures per master are in that order.`,
    '',
    table(
      [
        'offered msgs/s',
        'delivered/s',
        'p50 / p99 (ms)',
        'Redis commands/msg',
        'commands/s per master',
        'busiest ÷ mean',
        'CPU per master',
        'busiest ÷ mean',
      ],
      steps.map((step) => {
        const spread = shardSpread(step);
        const shards = step.shards!;
        return [
          int(step.offeredRate),
          int(step.deliveredRate),
          `${ms(step.latencyMs.p50)} / ${ms(step.latencyMs.p99)}`,
          step.redisCommandsPerMessage === null ? '—' : step.redisCommandsPerMessage.toFixed(1),
          perMaster(shards.map((shard) => int(shard.commands / shard.windowSeconds))),
          spreadText(spread?.commands?.ratio),
          perMaster(shards.map((shard) => pct(shard.cpuPercent))),
          spreadText(spread?.cpu?.ratio),
        ];
      }),
    ),
    '',
  );
  const judged = clusterJudgedStep(entry);
  if (judged) {
    const shards = judged.step.shards!;
    const total = shards.reduce((sum, shard) => sum + shard.commands, 0);
    parts.push(
      `Each master at ${int(judged.step.offeredRate)} msgs/s (${judged.withinLimit ? 'the best step' : 'the step that delivered most; none kept the p99 limit'}):`,
      '',
      table(
        [
          'master',
          'rooms',
          'also holds',
          'commands/s',
          'share',
          'CPU',
          'commands it ran most (calls in the window)',
        ],
        shards.map((shard) => [
          shardLabel(shard),
          int(shard.rooms),
          shard.holds.length ? listed(shard.holds) : '—',
          int(shard.commands / shard.windowSeconds),
          total > 0 ? pct((shard.commands / total) * 100) : '—',
          pct(shard.cpuPercent),
          counts(shard.topCommands),
        ]),
      ),
      '',
    );
  }
  return parts;
}

/** docs/BENCHMARKS.md and its charts, from one run's results and the hand-written findings. */
export function renderReport(
  results: BenchResults,
  options: { resultsFile: string; findings: string },
): RenderedReport {
  const charts = fanoutCharts(results);
  if (results.scale?.steps.length) {
    charts['scale-p50.svg'] = scaleChart(results.scale, 'p50');
    charts['scale-p99.svg'] = scaleChart(results.scale, 'p99');
  }
  const parts: string[] = [];
  const p = results.parameters;
  parts.push(
    '# Benchmarks',
    '',
    `<!-- Generated by \`pnpm bench --full\` from \`${options.resultsFile}\` and \`bench/findings.md\`; edit those, not this file. -->`,
    '',
    `This API against ${listed(results.contenders.filter((contender) => !contender.name.startsWith('api')).map((contender) => contender.label))}${results.contenders.some((contender) => contender.name === 'api-cluster') ? ', and on a Redis Cluster' : ''} (described under [Setup](#setup-of-this-run)), one harness, same machine, same run (${results.profile} profile, ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(results.durationSeconds / 60)} min). Everything ran on loopback; load came from separate client processes. Run it yourself with \`pnpm bench\` (quick) or \`pnpm bench --full\`; see [Running](#running).`,
    '',
    '## Targets',
    '',
    table(
      ['target', 'goal', 'this run', 'met'],
      // Judged again with today's goals; what this run did not measure says so.
      judgeTargets(results).map((target) => [
        target.name,
        target.goal,
        target.value,
        target.met === null ? 'n/a' : target.met ? '✅ met' : '❌ missed',
      ]),
    ),
    '',
  );

  parts.push('## Fanout', '');
  parts.push(
    `${p.fanout.rooms} rooms × ${p.fanout.membersPerRoom} members (${int(p.fanout.rooms * p.fanout.membersPerRoom)} sockets) spread over the instances (member *i* on instance *i* mod 2), every member also a writer, so writers sit on both instances. Each step publishes at one offered rate for ${p.fanout.stepMs / 1000} s; the first ${p.fanout.warmupMs / 1000} s are not measured. *Delivered/s* counts \`message.new\` (or \`msg\`) frames received by all sockets inside the window; latency runs from the writer's send to each member's receipt, including the sender's own copy. The figure of merit is the highest delivered rate whose p99 ≤ 100 ms with nothing missing. *µs/delivery* is the CPU time the contender's server processes used in the window, and separately its Redis, divided by the deliveries in it: it holds steadier than the rates on a shared machine, and at low rates it includes the fixed costs (heartbeats, idle polling).`,
    '',
    table(
      [
        'contender',
        'instances',
        'best delivered/s at p99 ≤ 100 ms',
        'at offered msgs/s',
        'p50 / p99 there (ms)',
        'server / Redis CPU there (µs per delivery)',
        'stopped',
      ],
      results.fanout.map((entry) => [
        labelOf(results, entry.contender),
        String(entry.instances),
        int(entry.bestDeliveredRate),
        entry.bestStep ? int(entry.bestStep.offeredRate) : '—',
        entry.bestStep
          ? `${ms(entry.bestStep.latencyMs.p50)} / ${ms(entry.bestStep.latencyMs.p99)}`
          : '—',
        entry.bestStep ? cpuPerDelivery(entry.bestStep) : '—',
        entry.stoppedBecause,
      ]),
    ),
    '',
    '![p99 latency against delivered rate](benchmarks/fanout-p99.svg)',
    '',
  );
  for (const entry of results.fanout) {
    parts.push(
      `### ${labelOf(results, entry.contender)}`,
      '',
      table(
        [
          'offered msgs/s',
          'delivered/s',
          'p50',
          'p95',
          'p99',
          'max (ms)',
          'missing',
          'dup',
          'server CPU',
          'Redis CPU',
          'server µs/delivery',
          'Redis µs/delivery',
          'Redis commands/msg',
          'client CPU',
          'other processes',
          'load',
          'errors / closes',
        ],
        entry.steps.map((step) => [
          int(step.offeredRate),
          int(step.deliveredRate),
          ms(step.latencyMs.p50),
          ms(step.latencyMs.p95),
          ms(step.latencyMs.p99),
          ms(step.latencyMs.max),
          int(step.missing),
          int(step.duplicates),
          pct(step.serverCpuPercent),
          pct(step.redisCpuPercent),
          micros(step.serverCpuMicrosPerDelivery),
          micros(step.redisCpuMicrosPerDelivery),
          step.redisCommandsPerMessage === null ? '—' : step.redisCommandsPerMessage.toFixed(1),
          pct(step.clientCpuPercent),
          `${pct(step.foreignCpuPercent ?? 0)}${(step.attempts ?? 1) > 1 ? ` (${step.attempts} tries)` : ''}`,
          step.loadAverage.toFixed(2),
          `${counts(step.errors)} / ${counts(step.closes)}`,
        ]),
      ),
      '',
      `![latency percentiles, ${labelOf(results, entry.contender)}](benchmarks/fanout-${entry.contender}.svg)`,
      '',
    );
  }

  parts.push(...clusterSection(results, options.resultsFile));

  if (results.capacity.length) {
    parts.push(
      '## Capacity',
      '',
      `Idle sockets on **one** server process, rising to ${int(p.capacity.steps.at(-1) ?? 0)} (for the API: authenticated with a bearer session, \`ready\` received). Memory is read inside the process through the inspector after a forced GC; *per socket* is (RSS at the top − RSS before the first socket) / sockets. Heartbeat CPU is the server's CPU over ${p.capacity.heartbeatWindowMs / 1000} s of idleness with a ${p.capacity.heartbeatMs / 1000} s heartbeat (\`WS_HEARTBEAT_MS\`, socket.io \`pingInterval\`, ws ping), plus its Redis for the API (presence refresh).`,
      '',
      table(
        [
          'contender',
          'sockets',
          'RSS before → top (MiB)',
          'RSS / socket',
          'heap / socket',
          'connects/s',
          'heartbeat CPU (server)',
          'Redis CPU',
          'CPU ms per round per 1k sockets',
          'lost while idle',
        ],
        results.capacity.map((entry) => {
          const top = entry.steps.at(-1);
          return [
            labelOf(results, entry.contender),
            int(entry.reached),
            `${(entry.baseline.rssBytes / MiB).toFixed(0)} → ${((top?.rssBytes ?? 0) / MiB).toFixed(0)}`,
            kb(entry.rssPerSocketBytes),
            kb(entry.heapPerSocketBytes),
            int(Math.min(...entry.steps.map((step) => step.connectPerSecond))),
            `${entry.heartbeat.serverCpuPercent.toFixed(1)} %`,
            `${entry.heartbeat.redisCpuPercent.toFixed(1)} %`,
            entry.heartbeat.cpuMsPerRoundPer1k.toFixed(1),
            int(entry.heartbeat.socketsLost),
          ];
        }),
      ),
      '',
      '![RSS against sockets](benchmarks/capacity-rss.svg)',
      '',
    );
  }

  if (results.storm.length) {
    parts.push(
      '## Reconnect storm',
      '',
      `${p.storm.rooms} rooms × ${p.storm.membersPerRoom} subscribed members (${int(p.storm.rooms * p.storm.membersPerRoom)} sockets, half on each instance) and one writer per room on the instance that survives, ${p.storm.ratePerRoom} msgs/s per room. ${p.storm.killAfterMs / 1000} s in, the other instance gets SIGKILL; its clients reconnect to the survivor with full-jitter backoff (base ${p.storm.reconnectBaseMs} ms, cap ${p.storm.reconnectCapMs} ms) and rejoin their room: ${results.storm.map((entry) => STORM_REJOIN[entry.contender]).join('; ')}. *Resumed* means the room is joined again (for the API: \`subscribed\` received, after the replay; for a restored socket.io session: connected). *Session restored* counts the sockets whose socket.io session the server restored. Lost and duplicated are counted per socket against every message the writers sent.`,
      '',
      table(
        [
          'contender',
          'sockets',
          'dropped',
          'resumed',
          'session restored',
          'all resumed after',
          'p50 / p99 resume',
          'sent',
          'lost',
          'duplicated',
          'seq gaps',
          'attempts',
          'reconnect failures',
        ],
        results.storm.map((entry) => [
          labelOf(results, entry.contender),
          int(entry.sockets),
          int(entry.disconnected),
          int(entry.resumed),
          recoveredText(entry),
          entry.allResumedMs === null ? 'never' : `${(entry.allResumedMs / 1000).toFixed(2)} s`,
          `${(entry.resumeMs.p50 / 1000).toFixed(2)} / ${(entry.resumeMs.p99 / 1000).toFixed(2)} s`,
          int(entry.sent),
          int(entry.lost),
          int(entry.duplicated),
          entry.contender === 'api' ? int(entry.seqGaps) : 'n/a',
          int(entry.reconnectAttempts),
          counts(entry.reconnectFailures ?? {}),
        ]),
      ),
      '',
    );
  }

  if (results.http) {
    parts.push(
      '## HTTP path',
      '',
      `\`POST /api/chat/conversations/:id/messages\` with the session cookie, over keep-alive connections: ${int(p.http.sequential)} posts one after another (latency of an unloaded path), then ${p.http.concurrency} concurrent for ${p.http.durationMs / 1000} s (throughput). *web proxy* is the web app's standalone \`server.js\` (route \`app/api/[...path]/route.ts\`) in front of the same API instance.`,
      '',
      table(
        [
          'path',
          'sequential p50',
          'p95',
          'p99 (ms)',
          `posts/s at ${p.http.concurrency} concurrent`,
          'p50',
          'p99 (ms)',
          'errors',
        ],
        results.http.paths.map((path) => [
          path.target,
          ms(path.sequential.p50),
          ms(path.sequential.p95),
          ms(path.sequential.p99),
          int(path.load.postsPerSecond),
          ms(path.load.latencyMs.p50),
          ms(path.load.latencyMs.p99),
          int(path.load.errors),
        ]),
      ),
      '',
      results.http.proxyOverheadP50Ms === null
        ? `Proxy overhead: not measured (${results.http.note ?? 'no proxy'}).`
        : `Proxy overhead at p50 (sequential): **${results.http.proxyOverheadP50Ms.toFixed(2)} ms**.`,
      '',
    );
  }

  parts.push(...scaleSection(results, options.resultsFile));

  parts.push('## Findings and limits', '', options.findings.trim(), '');

  const m = results.machine;
  parts.push(
    '## Setup of this run',
    '',
    table(
      ['', ''],
      [
        [
          'machine',
          `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, kernel ${m.kernel}, open files ${m.fileDescriptorLimit}`,
        ],
        [
          'load average (1/5/15 min)',
          `before ${m.loadAverageBefore.map((value) => value.toFixed(2)).join(' / ')}, after ${m.loadAverageAfter.map((value) => value.toFixed(2)).join(' / ')}`,
        ],
        [
          'versions',
          Object.entries(results.versions)
            .map(([name, version]) => `${name} ${version}`)
            .join(', '),
        ],
        [
          'clock',
          `${results.clock.method}; worst measured offset between processes ≤ ${results.clock.maxSkewMs.toFixed(3)} ms`,
        ],
        [
          'client processes',
          `${p.workers} load workers (capacity: one per 5,000 sockets, each from its own 127.0.0.x source address)`,
        ],
        [
          'Redis',
          `one \`redis-server\` per contender that needs it, on a free loopback port, configured as the compose file ships it: AOF on, \`appendfsync always\`${results.contenders.some((contender) => contender.name === 'api-cluster') ? '; for this API on Redis Cluster six of them (3 masters, 3 replicas, node timeout 15 s), configured the same' : ''}`,
        ],
        [
          'API',
          `2 instances (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`); ${p.socketsPerUser === 1 ? 'every member is its own user and session' : `${p.socketsPerUser} sockets share a user and session`}; users are country-scoped staff who join a thread when they subscribe`,
        ],
        ['results', `\`${options.resultsFile}\``],
      ],
    ),
    '',
  );
  if (results.notes.length) {
    parts.push('Notes from the run:', '', ...results.notes.map((note) => `- ${note}`), '');
  }
  for (const contender of results.contenders) {
    parts.push(`- **${contender.label}**: ${contender.description}`);
  }
  parts.push(
    '',
    '## Running',
    '',
    '```sh',
    'pnpm bench            # quick: smaller sizes, a few minutes, prints the tables',
    'pnpm bench --full     # the sizes above; writes bench/results/<date>.json and this file',
    'pnpm bench --full --only=api --workloads=fanout --profile   # one contender, CPU profiles + heap snapshots in bench/profiles/',
    'pnpm bench --workloads=scale          # the inbox at 1,000 and 10,000 threads only (--full: up to 100,000)',
    'pnpm bench --only=api-cluster --workloads=fanout   # this API on a Redis Cluster alone: per-master commands and CPU',
    'pnpm bench --report   # regenerate this file from the latest full results',
    '```',
    '',
    "It needs what the README's setup installs (Node 24, pnpm, `redis-server` on the PATH) and builds the API itself. The CI smoke version (`bench/test/smoke.spec.ts`, part of `pnpm test`) runs every workload at tiny sizes and asserts that every contender delivered every message, and that at 60 and 150 threads every listing, search and unread count holds exactly what was written; it asserts no timings.",
    '',
    "The scale workload's data sets take minutes to make the first time (100,000 threads through the API); each size is kept as a Redis snapshot in `bench/.cache/`, keyed by the built API code that decides what Redis holds, and loaded by the runs after it.",
    '',
  );
  return { markdown: parts.join('\n'), charts };
}

/** The tables for the terminal. */
export function renderSummary(results: BenchResults): string {
  const lines: string[] = [];
  lines.push('', `Benchmark (${results.profile}) finished in ${results.durationSeconds} s`, '');
  for (const entry of results.fanout) {
    lines.push(
      `Fanout, ${labelOf(results, entry.contender)} (${entry.sockets} sockets, ${entry.instances} instance(s)):`,
    );
    lines.push(
      '  offered/s  delivered/s      p50      p95      p99  missing  dup  server CPU  µs/delivery: server  Redis',
    );
    for (const step of entry.steps) {
      lines.push(
        `  ${String(step.offeredRate).padStart(9)}  ${int(step.deliveredRate).padStart(11)}  ${ms(step.latencyMs.p50).padStart(7)}  ${ms(step.latencyMs.p95).padStart(7)}  ${ms(step.latencyMs.p99).padStart(7)}  ${String(step.missing).padStart(7)}  ${String(step.duplicates).padStart(3)}  ${pct(step.serverCpuPercent).padStart(10)}  ${micros(step.serverCpuMicrosPerDelivery).padStart(19)}  ${micros(step.redisCpuMicrosPerDelivery).padStart(5)}`,
      );
    }
    for (const step of entry.steps) {
      const shards = step.shards;
      if (!shards?.length) continue;
      const spread = shardSpread(step);
      const ratio = (value: { ratio: number } | null | undefined) =>
        value ? ratioText(value.ratio, TARGETS.clusterShardSpreadMax, 'at most') : '—';
      lines.push(
        `  masters at ${String(step.offeredRate).padStart(5)} msgs/s: commands/s ${perMaster(shards.map((shard) => int(shard.commands / shard.windowSeconds)))} (busiest ${ratio(spread?.commands)} the mean), CPU ${perMaster(shards.map((shard) => pct(shard.cpuPercent)))} (${ratio(spread?.cpu)}), ${step.redisCommandsPerMessage === null ? '—' : step.redisCommandsPerMessage.toFixed(1)} commands/msg`,
      );
    }
    const masters = entry.steps.find((step) => step.shards?.length)?.shards;
    if (masters) {
      lines.push(
        `  masters: ${masters.map((shard) => `${shardLabel(shard)} (${shard.rooms} room${shard.rooms === 1 ? '' : 's'}${shard.holds.length ? `, ${shard.holds.join(', ')}` : ''})`).join('; ')}`,
      );
    }
    lines.push(
      `  best at p99 ≤ 100 ms: ${int(entry.bestDeliveredRate)} deliveries/s${entry.bestStep ? ` at ${int(entry.bestStep.offeredRate)} msgs/s, server / Redis CPU ${cpuPerDelivery(entry.bestStep)} µs per delivery` : ''}; ${entry.stoppedBecause}`,
      '',
    );
  }
  for (const entry of results.capacity) {
    lines.push(
      `Capacity, ${labelOf(results, entry.contender)}: ${int(entry.reached)} sockets, ${kb(entry.rssPerSocketBytes)} RSS and ${kb(entry.heapPerSocketBytes)} heap per socket, heartbeat CPU ${entry.heartbeat.serverCpuPercent.toFixed(1)} % (+ Redis ${entry.heartbeat.redisCpuPercent.toFixed(1)} %)`,
    );
  }
  if (results.capacity.length) lines.push('');
  for (const entry of results.storm) {
    lines.push(
      `Storm, ${labelOf(results, entry.contender)}: ${entry.resumed}/${entry.disconnected} resumed (session restored: ${recoveredText(entry)}), all after ${entry.allResumedMs === null ? 'never' : `${(entry.allResumedMs / 1000).toFixed(2)} s`}, sent ${entry.sent}, lost ${entry.lost}, duplicated ${entry.duplicated}`,
    );
  }
  if (results.storm.length) lines.push('');
  if (results.http) {
    for (const path of results.http.paths) {
      lines.push(
        `HTTP ${path.target}: sequential p50 ${ms(path.sequential.p50)} ms, ${int(path.load.postsPerSecond)} posts/s at ${path.load.concurrency} concurrent (p99 ${ms(path.load.latencyMs.p99)} ms)`,
      );
    }
    if (results.http.note) lines.push(`HTTP: ${results.http.note}`);
    lines.push('');
  }
  if (results.scale?.steps.length) {
    const scale = results.scale;
    lines.push(
      `Inbox at scale, p50 / p99 in ms (${scale.steps.map((step) => `${int(step.threads)}: ${step.build.source === 'cache' ? 'from the cache' : `made in ${step.build.seconds.toFixed(0)} s`}`).join(', ')}):`,
    );
    lines.push(
      `  ${'figure'.padEnd(22)} ${'user'.padEnd(8)} ${scale.steps.map((step) => int(step.threads).padStart(15)).join(' ')}  ${'bytes'.padStart(9)}  growth p50 / p99`,
    );
    const growth = scaleGrowth(scale);
    for (const figure of SCALE_FIGURES) {
      for (const viewer of ['staff', 'customer'] as const) {
        const cells = scale.steps.map((step) => {
          const entry = step.figures.find(
            (item) => item.figure === figure && item.viewer === viewer,
          );
          return (entry ? `${ms(entry.latencyMs.p50)} / ${ms(entry.latencyMs.p99)}` : '—').padStart(
            15,
          );
        });
        const top = scale.steps
          .at(-1)!
          .figures.find((item) => item.figure === figure && item.viewer === viewer);
        const ratios = (['p50', 'p99'] as const).map((percentile) => {
          const entry = growth.find(
            (item) =>
              item.figure === figure && item.viewer === viewer && item.percentile === percentile,
          );
          return entry ? ratioText(entry.ratio, TARGETS.scale.growthMax, 'at most') : '—';
        });
        lines.push(
          `  ${scaleFigureLabel(figure).padEnd(22)} ${viewer.padEnd(8)} ${cells.join(' ')}  ${(top ? kb(top.bytes) : '—').padStart(9)}  ${ratios.join(' / ')}`,
        );
      }
    }
    lines.push('');
  }
  lines.push('Targets:');
  for (const target of results.targets) {
    lines.push(
      `  ${target.met === null ? 'n/a ' : target.met ? 'MET ' : 'MISS'}  ${target.name}: ${target.value} (goal ${target.goal})`,
    );
  }
  for (const note of results.notes) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}
