import { type ChildProcess, spawn } from 'node:child_process';
import { expectEventually } from '@chat/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleProcess } from '../src/infra/process-stats';
import { foreignCpuOver, waitForQuiet } from '../src/infra/quiet';

describe('the quiet-machine check', () => {
  let burner: ChildProcess | null = null;
  afterEach(() => {
    burner?.kill('SIGKILL');
    burner = null;
  });

  it("counts other processes' CPU and leaves out the benchmark's own", async () => {
    burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const pid = burner.pid!;
    // Running (and burning) before the window opens.
    await expectEventually(() => expect(sampleProcess(pid)?.cpuMs ?? 0).toBeGreaterThan(50), {
      timeoutMs: 10_000,
    });
    // Both over the same second, so whatever else the machine does counts in both alike.
    const [asForeign, asOurs] = await Promise.all([
      foreignCpuOver(() => [], 1_000),
      foreignCpuOver(() => [pid], 1_000),
    ]);
    expect(asForeign - asOurs).toBeGreaterThan(30);
  });

  it('returns at the first quiet sample, and gives up after maxWaitMs', async () => {
    const samples = [80, 60, 10, 90];
    const busy: number[] = [];
    const quiet = await waitForQuiet(
      { thresholdPercent: 25, maxWaitMs: 60_000 },
      () => [],
      (percent) => busy.push(percent),
      async () => samples.shift()!,
    );
    expect(quiet).toMatchObject({ quiet: true, foreignPercent: 10 });
    expect(busy).toEqual([80, 60]);

    const busyForever = await waitForQuiet(
      { thresholdPercent: 25, maxWaitMs: 200, windowMs: 50 },
      () => [],
      undefined,
      (_pids, windowMs) => new Promise((resolve) => setTimeout(() => resolve(70), windowMs)),
    );
    expect(busyForever).toMatchObject({ quiet: false, foreignPercent: 70 });
    expect(busyForever.waitedMs).toBeGreaterThanOrEqual(200);
  });
});
