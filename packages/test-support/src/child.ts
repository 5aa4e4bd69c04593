import { type ChildProcess, spawn } from 'node:child_process';

/** A child process whose output is kept for failure messages. */
export interface Child {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Signals the process (unless it is gone already) and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `command` with only PATH and `environment`, keeping what it writes. */
export function spawnChild(
  command: string,
  args: string[],
  environment: Record<string, string>,
  cwd?: string,
): Child {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...environment } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
