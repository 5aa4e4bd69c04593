import { describe, expect, it } from 'vitest';
import { SharedReads } from './shared-reads';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

describe(SharedReads.name, () => {
  it('gives concurrent reads of one key one call and the same result, and reads again once it settled', async () => {
    const reads = new SharedReads<number[]>();
    const calls: string[] = [];
    const first = deferred<number[]>();
    const load = (key: string, result: Promise<number[]>) => () => {
      calls.push(key);
      return result;
    };

    const a = reads.read('th_1:3:3', load('th_1:3:3', first.promise));
    const b = reads.read('th_1:3:3', load('th_1:3:3', Promise.resolve([0])));
    const other = reads.read('th_1:4:4', load('th_1:4:4', Promise.resolve([4])));
    first.resolve([3]);
    const [resultA, resultB] = await Promise.all([a, b]);
    expect(resultA).toBe(resultB);
    expect(resultA).toEqual([3]);
    expect(await other).toEqual([4]);
    expect(calls).toEqual(['th_1:3:3', 'th_1:4:4']);

    expect(await reads.read('th_1:3:3', load('th_1:3:3', Promise.resolve([33])))).toEqual([33]);
    expect(calls).toEqual(['th_1:3:3', 'th_1:4:4', 'th_1:3:3']);
  });

  it('hands a failure to every waiting reader and does not keep it', async () => {
    const reads = new SharedReads<number[]>();
    const failing = deferred<number[]>();
    const waiting = [
      reads.read('k', () => failing.promise),
      reads.read('k', () => Promise.resolve([1])),
    ];
    failing.reject(new Error('redis down'));
    for (const read of waiting) await expect(read).rejects.toThrow('redis down');
    expect(await reads.read('k', () => Promise.resolve([2]))).toEqual([2]);
  });
});
