import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectEventually } from './expect-eventually';
import { INTERNAL_TOKEN } from './api-instance';
import { freePort } from './redis-server';

const API_ROOT = resolve(__dirname, '../..');
const MAIN = join(API_ROOT, 'dist/main.js');

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds `dist/` when any source file is newer than `dist/main.js`, so a test never runs stale code. */
export function ensureApiBuilt(): void {
  let builtAt = 0;
  try {
    builtAt = statSync(MAIN).mtimeMs;
  } catch {
    // not built yet
  }
  if (newestMtime(join(API_ROOT, 'src')) <= builtAt) return;
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: API_ROOT,
      stdio: 'inherit',
    },
  );
}

/** `node dist/main.js` in its own process, as production runs it: for signal tests. */
export class ApiProcess {
  private logs = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.logs += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.logs += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  static async start(environment: Record<string, string>): Promise<ApiProcess> {
    ensureApiBuilt();
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      cwd: API_ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        INTERNAL_API_TOKEN: INTERNAL_TOKEN,
        PORT: String(port),
        ...environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(child, port);
    try {
      await expectEventually(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`exited with ${child.exitCode}:\n${api.output}`);
          const response = await fetch(`${api.baseUrl}/api/health/ready`);
          if (response.status !== 200) throw new Error(`ready answered ${response.status}`);
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return api;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get output(): string {
    return this.logs;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}
