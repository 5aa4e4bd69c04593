/**
 * `pnpm bench` (quick), `pnpm bench --full`, `pnpm bench --report`. See docs/BENCHMARKS.md.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ContenderName } from './contenders/contender';
import { QUIET_CPU_PERCENT } from './infra/quiet';
import { BENCH_ROOT } from './paths';
import { PROFILES, type ProfileName } from './profiles';
import { Progress } from './progress';
import { writeFormatted } from './report/format';
import { renderSummary } from './report/markdown';
import { latestFullResults, RESULTS_DIRECTORY, writeReport } from './report/report-files';
import { ALL_CONTENDERS, ALL_WORKLOADS, awaitQuiet, runBenchmarks, type WorkloadName } from './run';

interface Arguments {
  profile: ProfileName;
  contenders: ContenderName[];
  workloads: WorkloadName[];
  cpuProfiles: boolean;
  reportOnly: boolean;
  wait: boolean;
  socketsPerUser: number | null;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = {
    profile: 'quick',
    contenders: ALL_CONTENDERS,
    workloads: ALL_WORKLOADS,
    cpuProfiles: false,
    reportOnly: false,
    wait: true,
    socketsPerUser: null,
  };
  for (const argument of argv) {
    const [flag, value = ''] = argument.split('=');
    const list = () =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    switch (flag) {
      case '--full':
        parsed.profile = 'full';
        break;
      case '--quick':
        parsed.profile = 'quick';
        break;
      case '--smoke':
        parsed.profile = 'smoke';
        break;
      case '--only':
        parsed.contenders = list().filter((name): name is ContenderName =>
          (ALL_CONTENDERS as string[]).includes(name),
        );
        break;
      case '--workloads':
        parsed.workloads = list().filter((name): name is WorkloadName =>
          (ALL_WORKLOADS as string[]).includes(name),
        );
        break;
      case '--profile':
        parsed.cpuProfiles = true;
        break;
      case '--report':
        parsed.reportOnly = true;
        break;
      case '--no-wait':
        parsed.wait = false;
        break;
      case '--sockets-per-user':
        parsed.socketsPerUser = Number(value);
        break;
      case '--':
        break;
      default:
        throw new Error(
          `unknown argument ${argument}; use --full, --only=api,api-cluster,socketio,socketio-streams,ws, --workloads=fanout,capacity,storm,http,scale, --profile, --report, --no-wait, --sockets-per-user=N`,
        );
    }
  }
  return parsed;
}

function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  if (options.reportOnly) {
    const latest = latestFullResults();
    if (!latest) throw new Error('no full results in bench/results/ yet: run pnpm bench --full');
    await writeReport(latest);
    process.stdout.write(`wrote docs/BENCHMARKS.md from bench/results/${latest}\n`);
    return;
  }
  const profile = { ...PROFILES[options.profile] };
  if (options.socketsPerUser) profile.socketsPerUser = options.socketsPerUser;
  const progress = new Progress(true);
  const full = options.profile === 'full';
  if (full && options.wait) {
    await awaitQuiet(
      progress,
      { thresholdPercent: QUIET_CPU_PERCENT, maxWaitMs: 10 * 60_000 },
      'before the run',
      () => [],
    );
  }
  const profileDir = options.cpuProfiles ? join(BENCH_ROOT, 'profiles') : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const results = await runBenchmarks({
    profile,
    contenders: options.contenders,
    workloads: options.workloads,
    progress,
    profileDir,
    quiet: options.wait
      ? { thresholdPercent: QUIET_CPU_PERCENT, maxWaitMs: full ? 300_000 : 10_000 }
      : null,
  });

  const complete =
    full &&
    options.contenders.length === ALL_CONTENDERS.length &&
    options.workloads.length === ALL_WORKLOADS.length;
  const directory = complete ? RESULTS_DIRECTORY : join(RESULTS_DIRECTORY, 'partial');
  mkdirSync(directory, { recursive: true });
  const file = `${timestamp(new Date(results.startedAt))}${complete ? '' : `-${options.profile}`}.json`;
  await writeFormatted(join(directory, file), JSON.stringify(results, null, 2));
  process.stdout.write(renderSummary(results));
  process.stdout.write(`\nresults: ${join(directory, file)}\n`);
  if (complete) {
    await writeReport(file);
    process.stdout.write('report: docs/BENCHMARKS.md\n');
  } else {
    process.stdout.write(
      'docs/BENCHMARKS.md holds full runs only (pnpm bench --full); left as it is.\n',
    );
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
