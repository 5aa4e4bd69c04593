import type { RealtimeConnection } from './realtime/connection';

/** The safety-net poll: the socket is the path, this catches what it missed. */
export const BASE_POLL_MS = 300_000;
/** Spread of the poll (± this much), so tabs opened together do not poll together. */
export const POLL_JITTER_MS = 60_000;

/**
 * A delay of `base ± jitter`, uniformly spread so that many tabs opened together do not poll
 * together. `random` is injectable for tests.
 */
export function jitteredDelay(
  baseMs: number,
  jitterMs: number,
  random: () => number = Math.random,
): number {
  return Math.round(baseMs + (random() * 2 - 1) * jitterMs);
}

export interface LiveSyncOptions<T> {
  /** The truth, over HTTP. */
  fetch(): Promise<T>;
  /** Writes an answer of {@link fetch} into the store. */
  apply(value: T): void;
  /** Refetched after every reconnect: what happened while the socket was away is only there. */
  connection: RealtimeConnection | null;
  /** The next safety-net poll delay; called again for every poll. @default 5 min ± 1 min */
  pollDelay?(): number;
  setTimer?(callback: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

export interface LiveSync {
  /** Fetches now; the answer is dropped if a live patch landed while it was on its way. */
  refresh(): Promise<void>;
  /** Applies what a frame (or the user) just changed; it is newer than any fetch in flight. */
  patch(update: () => void): void;
  stop(): void;
}

/**
 * The one way the web app keeps a piece of server state current: fetched over HTTP, patched by
 * socket frames as they come, fetched again after every reconnect and on a jittered poll. A
 * patch that lands while a fetch is in flight wins over that fetch's (older) answer.
 */
export function liveSync<T>(options: LiveSyncOptions<T>): LiveSync {
  const setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const clearTimer =
    options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const pollDelay = options.pollDelay ?? (() => jitteredDelay(BASE_POLL_MS, POLL_JITTER_MS));
  let version = 0;
  let stopped = false;
  let timer: unknown = null;

  const refresh = async () => {
    const askedAt = version;
    try {
      const value = await options.fetch();
      if (!stopped && askedAt === version) options.apply(value);
    } catch {
      // The next poll or reconnect tries again.
    }
  };
  const schedulePoll = () => {
    if (stopped) return;
    timer = setTimer(() => void refresh().finally(schedulePoll), pollDelay());
  };
  const offState = options.connection?.onStateChange((state, previous) => {
    if (state === 'connected' && previous !== 'connecting') void refresh();
  });
  void refresh();
  schedulePoll();

  return {
    refresh,
    patch(update) {
      version += 1;
      update();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      offState?.();
    },
  };
}
