import { type ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
/** Processes started by others on our behalf (a Cluster's nodes), known by their ids. */
const pidSources = new Set<() => number[]>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const running of children) running.kill('SIGKILL');
    for (const pids of pidSources) {
      for (const pid of pids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => process.exit(130));
  }
}

/**
 * Remembers a server the harness started, so that an interrupted run (Ctrl-C, a timeout, a
 * crash) does not leave API instances or redis-servers behind.
 */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  install();
}

/**
 * The same for processes a helper started (the nodes of a `RedisCluster`): `pids` names those
 * still running; the returned function forgets them once they are stopped.
 */
export function trackPids(pids: () => number[]): () => void {
  pidSources.add(pids);
  install();
  return () => pidSources.delete(pids);
}
