/**
 * The one clock every process of a run stamps with: wall-clock milliseconds with sub-millisecond
 * resolution. `performance.timeOrigin` is read from the realtime clock once, when the process
 * starts, and `performance.now()` advances monotonically from there, so two processes on one
 * machine agree to within microseconds and a clock step during the run cannot bend a latency.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export const CLOCK_METHOD =
  'performance.timeOrigin + performance.now() in every process (same machine; offsets measured over IPC at start)';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
