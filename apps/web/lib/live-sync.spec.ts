import { describe, expect, it, vi } from 'vitest';
import { FakeConnection } from '../test/support/fake-connection';
import { jitteredDelay, liveSync } from './live-sync';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe(liveSync.name, () => {
  it('fetches at once, and a live patch wins over a fetch that was in flight', async () => {
    const answers = [deferred<number>(), deferred<number>()];
    let call = 0;
    let value = 0;
    const sut = liveSync({
      fetch: () => answers[call++]!.promise,
      apply: (fetched) => (value = fetched),
      connection: null,
      setTimer: () => null,
    });
    sut.patch(() => (value = 7));
    answers[0]!.resolve(3);
    await Promise.resolve();
    await Promise.resolve();
    expect(value).toBe(7);
    const second = sut.refresh();
    answers[1]!.resolve(9);
    await second;
    expect(value).toBe(9);
    sut.stop();
  });

  it('fetches again after a reconnect, not after the first connect', async () => {
    const connection = new FakeConnection();
    const fetch = vi.fn(async () => 1);
    const sut = liveSync({ fetch, apply: () => undefined, connection, setTimer: () => null });
    connection.setState('connected');
    expect(fetch).toHaveBeenCalledTimes(1);
    connection.setState('reconnecting');
    connection.setState('connected');
    expect(fetch).toHaveBeenCalledTimes(2);
    sut.stop();
    connection.setState('reconnecting');
    connection.setState('connected');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('polls on a jittered delay as a safety net until stopped', async () => {
    const timers: Array<{ callback: () => void; ms: number }> = [];
    const fetch = vi.fn(async () => 1);
    const sut = liveSync({
      fetch,
      apply: () => undefined,
      connection: null,
      pollDelay: () => 1_000,
      setTimer: (callback, ms) => timers.push({ callback, ms }),
      clearTimer: () => undefined,
    });
    expect(timers.map((timer) => timer.ms)).toEqual([1_000]);
    timers[0]!.callback();
    await vi.waitFor(() => expect(timers).toHaveLength(2));
    expect(fetch).toHaveBeenCalledTimes(2);
    sut.stop();
  });
});

describe(jitteredDelay.name, () => {
  it('spreads the delay over base ± jitter', () => {
    expect(jitteredDelay(300_000, 60_000, () => 0)).toBe(240_000);
    expect(jitteredDelay(300_000, 60_000, () => 0.5)).toBe(300_000);
    expect(jitteredDelay(300_000, 60_000, () => 1)).toBe(360_000);
  });
});
