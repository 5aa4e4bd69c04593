import WebSocket from 'ws';
import { type ApiProcess } from '../../support/api-process';
import { expectEventually } from '@chat/test-support';

/**
 * A DevTools-protocol session with a process started with `--inspect=127.0.0.1:0`: forces a full
 * garbage collection and reads memory, so that what is measured is what is still referenced.
 */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown };
      if (reply.id !== undefined) this.pending.get(reply.id)?.(reply.result);
    });
  }

  static async attach(api: ApiProcess): Promise<InspectorSession> {
    const url = await expectEventually(() => {
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(api.output());
      if (!match) throw new Error('no inspector URL in the output yet');
      return match[1]!;
    });
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new InspectorSession(socket);
  }

  /** Collects garbage, then returns the process's RSS and used heap, in bytes. */
  async memoryAfterGc(): Promise<{ rss: number; heapUsed: number }> {
    await this.call('HeapProfiler.collectGarbage');
    const evaluated = (await this.call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    const usage = JSON.parse(evaluated.result.value) as { rss: number; heapUsed: number };
    return { rss: usage.rss, heapUsed: usage.heapUsed };
  }

  close(): void {
    this.socket.close();
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer`)), 10_000);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(result);
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }
}
