export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. @default 500 */
  baseMs: number;
  /** No delay is ever longer than this, in ms. @default 20000 */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 20_000 };

/**
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(max, base·2^attempt)).
 * The randomness spreads a crowd of clients (all the sockets of a drained replica) over the
 * whole window instead of having them retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}
