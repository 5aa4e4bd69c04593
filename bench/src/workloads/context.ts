import { type Contender, type Deployment } from '../contenders/contender';
import { Inspector } from '../infra/inspector';
import { type Profile } from '../profiles';
import { type Progress } from '../progress';

export interface RunContext {
  profile: Profile;
  progress: Progress;
  /** Where CPU profiles and heap snapshots go; null unless `--profile`. */
  profileDir: string | null;
  notes: string[];
  /** Measure the web app's proxy route too (needs the built web app). */
  webProxy: boolean;
  /** Waits (bounded) until processes other than `ourPids` and the runner leave the machine quiet. */
  waitQuiet(label: string, ourPids: () => number[]): Promise<void>;
}

/**
 * Starts a CPU profile of the servers of a deployment (all, or those at `instances`); the
 * returned function writes them.
 */
export async function profileCpu(
  context: RunContext,
  deployment: Deployment,
  name: string,
  instances?: readonly number[],
): Promise<() => Promise<void>> {
  const directory = context.profileDir;
  if (!directory) return async () => undefined;
  const inspectors: Array<[number, Inspector]> = [];
  for (const [index, port] of deployment.inspectPorts.entries()) {
    if (port === null || (instances && !instances.includes(index))) continue;
    const inspector = await Inspector.connect(port);
    await inspector.startCpuProfile();
    inspectors.push([index, inspector]);
  }
  return async () => {
    for (const [index, inspector] of inspectors) {
      await inspector.stopCpuProfile(`${directory}/${name}-instance${index + 1}.cpuprofile`);
      inspector.close();
    }
  };
}

export function instancesFor(contender: Contender): number {
  return Math.min(2, contender.maxInstances);
}
