import { ForeignCpuMeter } from './process-stats';

/**
 * When the machine counts as quiet enough to measure: the CPU that processes other than the
 * benchmark's own use, in % of one core, sampled over `windowMs`. The 1-minute load average is
 * no use here: it still holds the benchmark's own previous workload for a minute or more.
 */
/**
 * Other processes' CPU (% of one core) under which the machine counts as quiet; a fanout step
 * during which they used more is measured again.
 */
export const QUIET_CPU_PERCENT = 25;

export interface QuietOptions {
  thresholdPercent: number;
  maxWaitMs: number;
  windowMs?: number;
}

export interface QuietResult {
  quiet: boolean;
  /** Other processes' CPU in the last window, in % of one core. */
  foreignPercent: number;
  waitedMs: number;
}

/** Other processes' CPU over `windowMs`, in % of one core. */
export async function foreignCpuOver(ourPids: () => number[], windowMs: number): Promise<number> {
  const meter = new ForeignCpuMeter(ourPids);
  meter.begin();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return meter.end();
}

/**
 * Samples until other processes use less than the threshold, or `maxWaitMs` has passed;
 * `onBusy` hears each busy sample (for the progress line).
 */
export async function waitForQuiet(
  options: QuietOptions,
  ourPids: () => number[],
  onBusy: (foreignPercent: number) => void = () => undefined,
  measure: (ourPids: () => number[], windowMs: number) => Promise<number> = foreignCpuOver,
): Promise<QuietResult> {
  const startedAt = Date.now();
  const windowMs = options.windowMs ?? 1_000;
  for (;;) {
    const foreignPercent = await measure(ourPids, windowMs);
    const waitedMs = Date.now() - startedAt;
    if (foreignPercent < options.thresholdPercent) return { quiet: true, foreignPercent, waitedMs };
    if (waitedMs >= options.maxWaitMs) return { quiet: false, foreignPercent, waitedMs };
    onBusy(foreignPercent);
  }
}
