import { type ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

/**
 * Remembers a server the harness started, so that an interrupted run (Ctrl-C, a timeout, a
 * crash) does not leave API instances or redis-servers behind.
 */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const running of children) running.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => process.exit(130));
  }
}
