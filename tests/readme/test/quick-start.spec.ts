import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The first `sh` block after a bold lead-in such as "**Run the system**". */
function commandAfter(lead: string): string {
  const start = readme.indexOf(`**${lead}**`);
  expect(start, `README has a "${lead}" paragraph`).toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  expect(block, `a sh block follows "${lead}"`).not.toBeNull();
  return block![1]!.trim();
}

async function poll<T>(probe: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

describe('README quick start', () => {
  let dev: ChildProcess | null = null;
  let output = '';

  afterAll(async () => {
    if (!dev || dev.exitCode !== null) return;
    const exited = new Promise((resolve) => dev!.once('exit', resolve));
    // The whole process group: turbo, the API, the Next dev server.
    process.kill(-dev.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-dev!.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });

  it('gives one command to run the system and one to run every test', () => {
    expect(commandAfter('Run the system')).toBe('pnpm install && pnpm dev');
    expect(commandAfter('Run every test')).toBe('pnpm install && pnpm test');
    // CI runs the README's test command.
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/^pnpm test$/m);
  });

  it('runs the system: the API on the embedded engine with demo data, and the web app', async () => {
    // `pnpm install` has run already (this test runs under `pnpm test`); start the rest of the command.
    const command = commandAfter('Run the system').split('&&').at(-1)!.trim();
    const [program, ...args] = command.split(' ');
    dev = spawn(program!, args, {
      cwd: root,
      detached: true,
      env: { ...process.env, CI: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const health = await poll(async () => {
      const response = await fetch('http://localhost:3002/api/health');
      return (await response.json()) as unknown;
    }, 90_000).catch((error: unknown) => {
      throw new Error(`the API did not come up: ${String(error)}\n${output.slice(-3000)}`);
    });
    expect(health).toEqual({ status: 'ok', engine: 'memory' });

    // A demo login through the web app's /api proxy, as a browser would do it.
    const login = await poll(async () => {
      const response = await fetch('http://localhost:3100/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@demo.test', password: 'demo1234' }),
      });
      if (response.status !== 200) throw new Error(`login answered ${response.status}`);
      return response;
    }, 120_000).catch((error: unknown) => {
      throw new Error(
        `the web app did not proxy a login: ${String(error)}\n${output.slice(-3000)}`,
      );
    });
    expect(login.headers.get('set-cookie')).toMatch(/^sid=/);
    expect(((await login.json()) as { user: { handle: string } }).user.handle).toBe('alice');

    const home = await fetch('http://localhost:3100/');
    expect(home.status).toBe(200);
  });
});
