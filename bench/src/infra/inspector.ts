import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

/**
 * A minimal Chrome DevTools Protocol client for a server started with `--inspect`: forces a
 * garbage collection before memory is read, and takes CPU profiles and heap snapshots when a
 * target is missed, the same way for every contender.
 */
export class Inspector {
  private nextId = 0;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private readonly chunks: string[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as {
        id?: number;
        method?: string;
        params?: { chunk?: string };
        result?: unknown;
        error?: { message: string };
      };
      if (message.method === 'HeapProfiler.addHeapSnapshotChunk') {
        this.chunks.push(message.params?.chunk ?? '');
        return;
      }
      if (message.id === undefined) return;
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.error ? { error: message.error.message } : message.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
      webSocketDebuggerUrl: string;
    }>;
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}`);
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new Inspector(socket);
  }

  call<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve as (result: unknown) => void);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Collects garbage, then reads `process.memoryUsage()` inside the target. */
  async memoryAfterGc(): Promise<{ rss: number; heapUsed: number; external: number }> {
    await this.call('HeapProfiler.collectGarbage');
    const reply = await this.call<{ result: { value: string } }>('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    return JSON.parse(reply.result.value) as { rss: number; heapUsed: number; external: number };
  }

  async startCpuProfile(): Promise<void> {
    await this.call('Profiler.enable');
    await this.call('Profiler.setSamplingInterval', { interval: 500 });
    await this.call('Profiler.start');
  }

  async stopCpuProfile(path: string): Promise<void> {
    const { profile } = await this.call<{ profile: unknown }>('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
  }

  async heapSnapshot(path: string): Promise<void> {
    this.chunks.length = 0;
    await this.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    writeFileSync(path, this.chunks.join(''));
    this.chunks.length = 0;
  }

  close(): void {
    this.socket.close();
  }
}
