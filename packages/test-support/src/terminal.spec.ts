import { describe, expect, it } from 'vitest';
import { expectEventually } from './eventually';
import { spawnInTerminal } from './terminal';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe(spawnInTerminal.name, () => {
  it('gives the command a terminal, and Ctrl+C reaches it as SIGINT', async () => {
    const sut = spawnInTerminal(
      process.execPath,
      [
        '-e',
        `console.log('terminal: ' + process.stdout.isTTY + ', env: ' + process.env.PROBE);
         process.on('SIGINT', () => { console.log('interrupted'); process.exit(7); });
         setInterval(() => {}, 1000);`,
      ],
      { PROBE: "it's kept" },
    );
    await expectEventually(() => expect(sut.output()).toContain("terminal: true, env: it's kept"));
    sut.interrupt();
    expect(await sut.exited).toBe(7);
    expect(sut.output()).toContain('interrupted\n');
    expect(sut.output()).not.toContain('\r');
  });

  it('kills every process left in its session, in whatever process group', async () => {
    // A job in a process group of its own (as turbo starts its tasks) that ignores SIGINT.
    const sut = spawnInTerminal(
      'sh',
      [
        '-c',
        `set -m
         ${process.execPath} -e "process.on('SIGINT', () => {}); setInterval(() => {}, 1000)" &
         echo "job $!"
         wait`,
      ],
      {},
    );
    const pid = Number(
      await expectEventually(() => /job (\d+)/.exec(sut.output())?.[1] ?? fail('no job yet')),
    );
    sut.interrupt();
    expect(alive(pid)).toBe(true);
    sut.killSession();
    await sut.exited;
    await expectEventually(() => expect(alive(pid)).toBe(false));
  });
});

function fail(message: string): never {
  throw new Error(message);
}
