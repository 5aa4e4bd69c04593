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

/** Retries `probe` until it stops throwing, or fails with its last error after the timeout. */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw lastError instanceof Error ? lastError : new Error(String(lastError));
    }
    await sleep(intervalMs);
  }
}
