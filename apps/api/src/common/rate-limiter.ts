/** The window of the configurable limits (`WS_CONNECT_RATE_PER_IP`, `MESSAGE_RATE_PER_USER`). */
export const RATE_LIMIT_WINDOW_SECONDS = 10;

/** The window of `LOGIN_RATE_PER_IP`: a minute, so a password guesser gets few tries an hour. */
export const LOGIN_RATE_WINDOW_SECONDS = 60;

/**
 * The window of `LOGIN_RATE_PER_ACCOUNT`: 15 minutes, so a spray from many addresses gets
 * 10 guesses a quarter of an hour (960 a day) at one account, whatever it spends.
 */
export const LOGIN_ACCOUNT_RATE_WINDOW_SECONDS = 15 * 60;

/** How many events a key may have per window. */
export interface RateLimit {
  /** Events per window; 0 means no limit. */
  points: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters, shared by every replica on the Redis engine (in this process on the
 * embedded one). The port the limits on connections and messages go through.
 */
export abstract class RateLimiter {
  /**
   * Counts `points` (one event by default) of `name` for `key`; resolves false when the window's
   * points are used up. Rejects with {@link UnavailableError} when the counters cannot be reached.
   */
  abstract take(name: string, limit: RateLimit, key: string, points?: number): Promise<boolean>;
}
