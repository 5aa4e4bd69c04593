import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export interface ProcessSample {
  /** User + system CPU time consumed so far, in ms. */
  cpuMs: number;
  rssBytes: number;
}

/** Reads CPU time and resident memory of any process on this machine from /proc. */
export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return {
      cpuMs: ((userTicks + systemTicks) * 1000) / CLOCK_TICKS_PER_SECOND,
      rssBytes: Number(statm[1]) * PAGE_BYTES,
    };
  } catch {
    return null;
  }
}

/** CPU use of a set of processes between two moments, in % of one core. */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private startedAt = 0;

  constructor(private readonly pids: () => number[]) {}

  begin(): void {
    this.start.clear();
    this.startedAt = performance.now();
    for (const pid of this.pids()) {
      const sample = sampleProcess(pid);
      if (sample) this.start.set(pid, sample.cpuMs);
    }
  }

  /** Percent of one core used since `begin`, summed over the processes. */
  end(): { percent: number; cpuMs: number; elapsedMs: number } {
    const elapsedMs = performance.now() - this.startedAt;
    let cpuMs = 0;
    for (const pid of this.pids()) {
      const sample = sampleProcess(pid);
      const before = this.start.get(pid);
      if (sample && before !== undefined) cpuMs += sample.cpuMs - before;
    }
    return { percent: elapsedMs > 0 ? (cpuMs / elapsedMs) * 100 : 0, cpuMs, elapsedMs };
  }
}

export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [one ?? 0, five ?? 0, fifteen ?? 0];
}

/**
 * Waits until a set of processes is idle (under `percent` % of a core over half a second), so
 * work left over from connecting (presence, joins) does not land in the first measurement.
 */
export async function settle(
  pids: () => number[],
  { percent = 10, maxMs = 15_000 }: { percent?: number; maxMs?: number } = {},
): Promise<number> {
  const meter = new CpuMeter(pids);
  const startedAt = Date.now();
  for (;;) {
    meter.begin();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { percent: used } = meter.end();
    if (used < percent || Date.now() - startedAt > maxMs) return used;
  }
}

function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU the rest of the machine used while we measured (other people's builds and tests on a
 * shared box): all busy CPU time minus that of our own processes, in % of one core.
 */
export class ForeignCpuMeter {
  private readonly ours: CpuMeter;
  private machineAtBegin = 0;

  constructor(ourPids: () => number[]) {
    this.ours = new CpuMeter(() => [process.pid, ...ourPids()]);
  }

  begin(): void {
    this.ours.begin();
    this.machineAtBegin = machineBusyMs();
  }

  end(): number {
    const ours = this.ours.end();
    const machine = machineBusyMs() - this.machineAtBegin;
    return ours.elapsedMs > 0 ? Math.max(0, ((machine - ours.cpuMs) / ours.elapsedMs) * 100) : 0;
  }
}
