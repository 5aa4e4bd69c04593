/**
 * A delay of `base ± jitter`, uniformly spread so that many tabs opened together do not poll
 * together. `random` is injectable for tests.
 */
export function jitteredDelay(
  baseMs: number,
  jitterMs: number,
  random: () => number = Math.random,
) {
  return Math.round(baseMs + (random() * 2 - 1) * jitterMs);
}
