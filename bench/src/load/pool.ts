import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIST } from '../paths';
import { now } from '../clock';
import {
  type CollectResult,
  type HttpCommand,
  type HttpLoadResult,
  type ConnectCommand,
  type ConnectResult,
  type PublishCommand,
  type ProbeCommand,
  type ProbeResult,
  type PublishResult,
  type ResumeReport,
  type StatsResult,
  type WorkerCommand,
  type WorkerReply,
} from './ipc';

const WORKER_ENTRY = join(BENCH_DIST, 'load/worker.js');

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One forked load worker and a request/reply channel over IPC. */
class WorkerHandle {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new Error(reply.error));
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        for (const pending of this.pending.values()) {
          pending.reject(new Error(`load worker exited with ${code}`));
        }
        this.pending.clear();
        resolve();
      }),
    );
  }

  request<T>(command: WorkerCommand): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }
}

/** The client processes of one workload. */
export class WorkerPool {
  private constructor(private readonly workers: WorkerHandle[]) {}

  static start(count: number): WorkerPool {
    const workers = Array.from(
      { length: count },
      () =>
        new WorkerHandle(
          fork(WORKER_ENTRY, [], {
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
            execArgv: ['--max-old-space-size=4096'],
          }),
        ),
    );
    return new WorkerPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  get pids(): number[] {
    return this.workers.map((worker) => worker.child.pid ?? -1);
  }

  /**
   * Offset of each worker's clock from this process's, measured over an IPC round trip
   * (midpoint method); the largest absolute value bounds the skew between timestamps.
   */
  async clockSkewMs(): Promise<number> {
    let worst = 0;
    for (const worker of this.workers) {
      let best = { roundTrip: Infinity, offset: 0 };
      for (let round = 0; round < 5; round++) {
        const sentAt = now();
        const workerNow = await worker.request<number>({ type: 'clock' });
        const receivedAt = now();
        const roundTrip = receivedAt - sentAt;
        if (roundTrip < best.roundTrip) {
          best = { roundTrip, offset: workerNow - (sentAt + receivedAt) / 2 };
        }
      }
      worst = Math.max(worst, Math.abs(best.offset) + best.roundTrip / 2);
    }
    return worst;
  }

  /** Sends the i-th command to the i-th worker and gathers the replies. */
  each<T>(commands: WorkerCommand[]): Promise<T[]> {
    return Promise.all(commands.map((command, index) => this.workers[index]!.request<T>(command)));
  }

  all<T>(command: WorkerCommand): Promise<T[]> {
    return Promise.all(this.workers.map((worker) => worker.request<T>(command)));
  }

  connect(commands: ConnectCommand[]): Promise<ConnectResult[]> {
    return this.each<ConnectResult>(commands);
  }

  publish(commands: PublishCommand[]): Promise<PublishResult[]> {
    return this.each<PublishResult>(commands);
  }

  collect(step: number): Promise<CollectResult[]> {
    return this.all<CollectResult>({ type: 'collect', step });
  }

  resumeReport(): Promise<ResumeReport[]> {
    return this.all<ResumeReport>({ type: 'resume-report' });
  }

  /** Distinct messages received so far in the current period, all workers together. */
  async received(): Promise<number> {
    const counts = await this.all<number>({ type: 'count' });
    return counts.reduce((sum, count) => sum + count, 0);
  }

  http(command: HttpCommand): Promise<HttpLoadResult> {
    return this.workers[0]!.request<HttpLoadResult>(command);
  }

  /** Sequential samples of one request, from the first worker. */
  probe(command: ProbeCommand): Promise<ProbeResult> {
    return this.workers[0]!.request<ProbeResult>(command);
  }

  stats(): Promise<StatsResult[]> {
    return this.all<StatsResult>({ type: 'stats' });
  }

  async close(): Promise<void> {
    await Promise.race([
      this.all({ type: 'close' }).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
    for (const worker of this.workers) {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
    await Promise.all(this.workers.map((worker) => worker.exited));
  }
}
