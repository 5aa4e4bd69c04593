import { CLOCK_METHOD } from './clock';
import { ApiContender } from './contenders/api-contender';
import { type Contender, type ContenderName, type ContenderWorkload } from './contenders/contender';
import { SocketIoContender } from './contenders/socketio-contender';
import { RawWsContender } from './contenders/ws-contender';
import { loadAverage } from './infra/process-stats';
import { type QuietOptions, waitForQuiet } from './infra/quiet';
import { WorkerPool } from './load/pool';
import { describeMachine, describeVersions } from './machine';
import { type Profile } from './profiles';
import { type Progress } from './progress';
import { type BenchResults } from './results';
import { judgeTargets } from './targets';
import { runCapacity } from './workloads/capacity';
import { type RunContext } from './workloads/context';
import { runFanout } from './workloads/fanout';
import { runHttp } from './workloads/http';
import { runScale } from './workloads/scale';
import { runStorm } from './workloads/storm';

export type WorkloadName = 'fanout' | 'capacity' | 'storm' | 'http' | 'scale';
export const ALL_WORKLOADS: WorkloadName[] = ['fanout', 'capacity', 'storm', 'http', 'scale'];
/** Workloads that use the contenders' set-up (users, rooms, sessions); `scale` makes its own. */
const CONTENDER_WORKLOADS = ['fanout', 'capacity', 'storm', 'http'] as const;
export const ALL_CONTENDERS: ContenderName[] = [
  'ws',
  'socketio',
  'socketio-streams',
  'api',
  'api-cluster',
];

export interface RunOptions {
  profile: Profile;
  contenders?: ContenderName[];
  workloads?: WorkloadName[];
  progress: Progress;
  profileDir?: string | null;
  /** Wait (bounded) for other processes to leave the machine quiet before each workload. */
  quiet?: QuietOptions | null;
  /** Measure the HTTP path through the web app's proxy route as well. @default true */
  webProxy?: boolean;
  /** Rethrow the first workload error instead of recording it as a note (the smoke test). */
  strict?: boolean;
}

function createContender(name: ContenderName): Contender {
  switch (name) {
    case 'api':
      return new ApiContender();
    case 'api-cluster':
      return new ApiContender('cluster');
    case 'socketio':
      return new SocketIoContender('sharded');
    case 'socketio-streams':
      return new SocketIoContender('streams');
    case 'ws':
      return new RawWsContender();
  }
}

function takesPart(contender: Contender, workload: ContenderWorkload): boolean {
  return contender.workloads?.includes(workload) ?? true;
}

/** Waits (bounded) until the rest of the machine is quiet; says so when it gives up. */
export async function awaitQuiet(
  progress: Progress,
  quiet: QuietOptions | null | undefined,
  label: string,
  ourPids: () => number[],
): Promise<void> {
  if (!quiet) return;
  const result = await waitForQuiet(quiet, ourPids, (percent) =>
    progress.update(
      `${label}: waiting for a quiet machine (other processes use ${Math.round(percent)} % of a core, want < ${quiet.thresholdPercent} %)`,
    ),
  );
  if (!result.quiet) {
    progress.log(
      `${label}: other processes still use ${Math.round(result.foreignPercent)} % of a core after ${Math.round(result.waitedMs / 1000)} s; measuring anyway`,
    );
  }
}

/** Runs the chosen workloads against the chosen contenders and returns every number. */
export async function runBenchmarks(options: RunOptions): Promise<BenchResults> {
  const { profile, progress } = options;
  const names = options.contenders ?? ALL_CONTENDERS;
  const workloads = options.workloads ?? ALL_WORKLOADS;
  const context: RunContext = {
    profile,
    progress,
    profileDir: options.profileDir ?? null,
    notes: [],
    webProxy: options.webProxy ?? true,
    waitQuiet: (label, ourPids) => awaitQuiet(progress, options.quiet, label, ourPids),
  };
  const startedAt = new Date();
  const loadAverageBefore = loadAverage();
  const contenders = names.map(createContender);
  // Between workloads only the contenders' helpers (their Redis) and this process are ours.
  const helperPids = () => contenders.flatMap((contender) => contender.helperPids());
  const results: Omit<BenchResults, 'targets'> = {
    schemaVersion: 1,
    profile: profile.name,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationSeconds: 0,
    machine: {
      ...describeMachine(),
      loadAverageBefore,
      loadAverageAfter: loadAverageBefore,
    },
    versions: describeVersions(),
    clock: { method: CLOCK_METHOD, maxSkewMs: 0 },
    parameters: profile,
    contenders: contenders.map(({ name, label, description }) => ({ name, label, description })),
    fanout: [],
    capacity: [],
    storm: [],
    http: null,
    scale: null,
    notes: context.notes,
  };

  const attempt = async (what: string, task: () => Promise<void>) => {
    try {
      await task();
    } catch (error) {
      if (options.strict) throw error;
      const message = error instanceof Error ? error.message : String(error);
      context.notes.push(`${what} failed: ${message.split('\n')[0]}`);
      progress.log(`${what} FAILED: ${message}`);
    }
  };

  const clockPool = WorkerPool.start(profile.workers);
  try {
    results.clock.maxSkewMs = await clockPool.clockSkewMs();
  } finally {
    await clockPool.close();
  }

  try {
    for (const contender of contenders) {
      const needed = CONTENDER_WORKLOADS.some(
        (workload) =>
          workloads.includes(workload) &&
          // http uses the API contender's set-up.
          (workload === 'http' ? contender.name === 'api' : takesPart(contender, workload)),
      );
      if (!needed) continue;
      progress.update(`setting up ${contender.label}`);
      await contender.setUp(profile, progress);
    }
    const byName = (name: ContenderName) => contenders.find((contender) => contender.name === name);

    if (workloads.includes('fanout')) {
      for (const contender of contenders.filter((entry) => takesPart(entry, 'fanout'))) {
        await awaitQuiet(progress, options.quiet, `fanout ${contender.label}`, helperPids);
        await attempt(`fanout ${contender.label}`, async () => {
          results.fanout.push(await runFanout(context, contender));
        });
      }
    }
    if (workloads.includes('capacity')) {
      for (const contender of contenders.filter((entry) => takesPart(entry, 'capacity'))) {
        await awaitQuiet(progress, options.quiet, `capacity ${contender.label}`, helperPids);
        await attempt(`capacity ${contender.label}`, async () => {
          results.capacity.push(await runCapacity(context, contender));
        });
      }
    }
    if (workloads.includes('storm')) {
      for (const contender of contenders.filter((entry) => takesPart(entry, 'storm'))) {
        if (contender.maxInstances < 2) {
          context.notes.push(
            `storm: ${contender.label} runs as one process; there is no second instance to fail over to, so it sits the storm out.`,
          );
          continue;
        }
        await awaitQuiet(progress, options.quiet, `storm ${contender.label}`, helperPids);
        await attempt(`storm ${contender.label}`, async () => {
          results.storm.push(await runStorm(context, contender));
        });
      }
    }
    const api = byName('api');
    if (workloads.includes('http') && api instanceof ApiContender) {
      await awaitQuiet(progress, options.quiet, 'http', helperPids);
      await attempt('http', async () => {
        results.http = await runHttp(context, api);
        if (results.http.note) context.notes.push(`http: ${results.http.note}`);
      });
    }
    if (workloads.includes('scale') && api) {
      await awaitQuiet(progress, options.quiet, 'scale', helperPids);
      await attempt('scale', async () => {
        results.scale = await runScale(context);
      });
    }
  } finally {
    for (const contender of contenders) await contender.tearDown();
  }

  const finishedAt = new Date();
  results.finishedAt = finishedAt.toISOString();
  results.durationSeconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
  results.machine.loadAverageAfter = loadAverage();
  return { ...results, targets: judgeTargets(results) };
}
