import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { type Child } from './child';
import { expectEventually } from './eventually';

/** A child in a pseudo-terminal of its own. */
export interface TerminalChild extends Child {
  /** Ctrl+C: the terminal sends SIGINT to its whole foreground process group. */
  interrupt(): void;
  /** SIGKILL to every process still in the terminal's session (the last resort of a cleanup). */
  killSession(): void;
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** The ids of the processes in session `sessionId` (Linux `/proc`). */
function sessionMembers(sessionId: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid pgrp session …`; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sessionId) members.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return members;
}

/**
 * Runs `command` as a person at a terminal does: in a pseudo-terminal (util-linux `script`), so
 * its output is a terminal and Ctrl+C reaches every process in the foreground group. Like
 * {@link spawnChild} it gets only PATH and `environment`; its output is kept without the
 * terminal's carriage returns and colours.
 */
export function spawnInTerminal(
  command: string,
  args: string[],
  environment: Record<string, string>,
  cwd?: string,
): TerminalChild {
  const commandLine = ['exec', ...[command, ...args].map(quote)].join(' ');
  const child = spawn(
    'script',
    ['--quiet', '--flush', '--return', '--command', commandLine, '/dev/null'],
    {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        SHELL: '/bin/sh',
        ...environment,
      } as unknown as NodeJS.ProcessEnv,
      // `script` passes what it reads on stdin to the terminal: that is how Ctrl+C is typed.
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) =>
    (output += stripVTControlCharacters(chunk.toString()).replaceAll('\r', ''));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  // The command leads the terminal's session: its process id is the session's id.
  const sessionId = (): number | undefined => {
    try {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8');
      return Number(children.trim().split(' ')[0]) || undefined;
    } catch {
      return undefined;
    }
  };
  let session: number | undefined;
  void expectEventually(
    () => {
      session = sessionId();
      if (session === undefined && running()) throw new Error('not started yet');
    },
    { timeoutMs: 5_000 },
  ).catch(() => undefined);

  const handle: TerminalChild = {
    child,
    output: () => output,
    exited,
    interrupt() {
      if (running()) child.stdin.write('\x03');
    },
    killSession() {
      const id = session ?? sessionId();
      if (id === undefined) return;
      for (const pid of sessionMembers(id)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    },
    async stop(signal = 'SIGINT') {
      if (!running()) return exited;
      if (signal === 'SIGINT') handle.interrupt();
      else if (signal === 'SIGKILL') handle.killSession();
      else child.kill(signal);
      return exited;
    },
  };
  return handle;
}
