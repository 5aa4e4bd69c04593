import { type ChildProcess, spawn } from 'node:child_process';
import { expectEventually } from '@chat/test-support';
import { track } from './children';

export interface ServerProcessOptions {
  /** Shown in errors and the progress display. */
  label: string;
  entry: string;
  port: number;
  environment: Record<string, string>;
  /** An HTTP path that answers 200 once the server accepts work. */
  readyPath: string;
  nodeArguments?: string[];
}

/** A server under test, in its own process, with only the given environment (plus PATH). */
export class ServerProcess {
  private output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const append = (chunk: Buffer) => {
      // Keep the tail only: a long run must not grow the harness with a server's logs.
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const child = spawn(process.execPath, [...(options.nodeArguments ?? []), options.entry], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(options.port),
        ...options.environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    const server = new ServerProcess(options.label, child, options.port);
    const url = `http://127.0.0.1:${options.port}${options.readyPath}`;
    await expectEventually(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`${options.label} exited with ${child.exitCode}:\n${server.logs()}`);
        }
        const response = await fetch(url);
        if (response.status !== 200) throw new Error(`${options.label}: ${response.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
