import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import {
  acceptsConnections,
  expectEventually,
  spawnInTerminal,
  type TerminalChild,
  within,
} from '@chat/test-support';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pinnedPnpm = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }
).packageManager.split('@')[1]!;

const API_PORT = 3002;
const WEB_PORT = 3100;

/** The first `sh` block after a bold lead-in such as "**Run the system**". */
function commandAfter(lead: string): string {
  const start = readme.indexOf(`**${lead}**`);
  expect(start, `README has a "${lead}" paragraph`).toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  expect(block, `a sh block follows "${lead}"`).not.toBeNull();
  return block![1]!.trim();
}

/** Milliseconds until `url` answers 200 (bounded), or an error with the output so far. */
async function answersAfter(url: string, startedAt: number, dev: TerminalChild): Promise<number> {
  await expectEventually(
    async () => {
      if (dev.child.exitCode !== null) {
        throw new Error(`pnpm dev exited with ${dev.child.exitCode}`);
      }
      const response = await fetch(url);
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${dev.output().slice(-4000)}`);
  });
  return performance.now() - startedAt;
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

describe('README quick start', () => {
  it('gives one command to run the system and one to run every test', () => {
    expect(commandAfter('Run the system')).toBe('pnpm install && pnpm dev');
    expect(commandAfter('Run every test')).toBe('pnpm install && pnpm test');
    // CI runs the README's test command.
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/^pnpm test$/m);
  });

  describe('on a fresh machine, from a fresh clone', () => {
    // A home, a global prefix and a clone of this repository of the test's own; npm's download
    // cache and pnpm's package store are the machine's, so nothing is downloaded twice.
    const workspace = mkdtempSync(join(tmpdir(), 'chat-readme-'));
    const home = join(workspace, 'home');
    const prefix = join(workspace, 'prefix');
    const clone = join(workspace, 'booking-chat');
    // The system's directories, without /usr/local/bin, where a machine set up already keeps its Node.
    const systemPath = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(delimiter);
    const environment = {
      HOME: home,
      PATH: [join(prefix, 'bin'), systemPath].join(delimiter),
      LANG: 'C.UTF-8',
      npm_config_cache: execFileSync('npm', ['config', 'get', 'cache'], {
        encoding: 'utf8',
      }).trim(),
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_store_dir: dirname(
        execFileSync('pnpm', ['store', 'path'], { cwd: root, encoding: 'utf8' }).trim(),
      ),
    };
    const run = (command: string, cwd = workspace) =>
      execFileSync('bash', ['-euo', 'pipefail', '-c', command], {
        cwd,
        env: environment,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    let dev: TerminalChild | null = null;

    afterAll(async () => {
      if (dev && dev.child.exitCode === null) {
        dev.interrupt();
        await within(dev.exited, 10_000, 'pnpm dev after Ctrl+C').catch(() => dev!.killSession());
      }
      rmSync(workspace, { recursive: true, force: true });
    });

    it('gets Node 24 and the pinned pnpm with the README lines for a machine without a version manager', () => {
      mkdirSync(home);
      const lines = commandAfter('Without a version manager').split('\n');
      // The apt-get line brings a distribution's Node and npm, only to run the next line; this
      // machine has them already (an older Node), and the test installs no system packages.
      expect(lines[0]).toMatch(/^sudo apt-get .*install .*\bnodejs npm\b/);
      expect(
        run('command -v npm && node --version'),
        'the system Node is not Node 24 already',
      ).not.toMatch(/^v24\./m);
      // The rest runs as written, with sudo left out and the test's own prefix for /usr/local.
      const script = lines
        .slice(1)
        .map((line) => line.replace(/^sudo /, '').replaceAll('/usr/local', prefix))
        .join('\n');
      const output = run(script);
      expect(output).toMatch(/^v24\.\d+\.\d+$/m);
      expect(output).toMatch(new RegExp(`^${pinnedPnpm.replaceAll('.', '\\.')}$`, 'm'));
      expect(run('command -v node pnpm').split('\n').slice(0, 2)).toEqual([
        join(prefix, 'bin/node'),
        join(prefix, 'bin/pnpm'),
      ]);
    }, 180_000);

    it('installs a fresh clone with the first half of the command that runs the system', () => {
      execFileSync('git', ['clone', '--quiet', root, clone]);
      const [install] = commandAfter('Run the system').split('&&');
      run(install!.trim(), clone);
      expect(existsSync(join(clone, 'node_modules/.bin/turbo'))).toBe(true);
    }, 180_000);

    it('runs the system with `pnpm dev`: ready, readable, one line per request, and a clean Ctrl+C', async () => {
      for (const port of [API_PORT, WEB_PORT]) {
        const taken = await acceptsConnections(port).then(
          () => true,
          () => false,
        );
        expect(taken, `port ${port} is free (is another pnpm dev running?)`).toBe(false);
      }
      const [program, ...args] = commandAfter('Run the system')
        .split('&&')
        .at(-1)!
        .trim()
        .split(' ');
      const startedAt = performance.now();
      dev = spawnInTerminal(program!, args, environment, clone);
      const [apiReadyMs, webReadyMs] = await Promise.all([
        answersAfter(`http://localhost:${API_PORT}/api/health`, startedAt, dev),
        answersAfter(`http://localhost:${WEB_PORT}/`, startedAt, dev),
      ]);
      expect(await (await fetch(`http://localhost:${API_PORT}/api/health`)).json()).toEqual({
        status: 'ok',
        engine: 'memory',
      });

      // A demo login through the web app's /api proxy, as a browser does it.
      const login = await fetch(`http://localhost:${WEB_PORT}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@demo.test', password: 'demo1234' }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.get('set-cookie')).toMatch(/^sid=/);
      // Logged once, by the API, in a readable line; `next dev` does not log it again.
      const loginLine = /^@chat\/api:dev: \[[\d:.]+\] INFO: POST \/api\/auth\/login 200 \d+ ms$/m;
      await expectEventually(() => expect(dev!.output()).toMatch(loginLine));
      const lines = dev.output().split('\n');
      expect(lines.filter((line) => line.includes('/api/auth/login'))).toHaveLength(1);
      expect(dev.output()).toMatch(
        /^@chat\/api:dev: \[[\d:.]+\] INFO: Bootstrap: listening on :3002 \(engine: memory, demo data: true\)$/m,
      );
      expect(lines.filter((line) => /: \{"level":/.test(line))).toEqual([]);
      // Nothing is compiled twice: the API is not built, and starts once.
      expect(dev.output()).not.toContain('@chat/api:build');
      expect(lines.filter((line) => line.includes('listening on :'))).toHaveLength(1);
      expect(dev.output()).not.toMatch(/Restarting '/);

      const stoppingAt = performance.now();
      dev.interrupt();
      const code = await within(dev.exited, 5_000, 'pnpm dev after Ctrl+C');
      const stopMs = performance.now() - stoppingAt;
      expect(code, dev.output().slice(-3000)).toBe(0);
      expect(dev.output().match(/^.*(ELIFECYCLE|\bERR|failed).*$/gim)).toBeNull();
      // Neither the install nor the servers leave anything for git to see.
      expect(execFileSync('git', ['status', '--porcelain'], { cwd: clone, encoding: 'utf8' })).toBe(
        '',
      );

      console.info(
        `pnpm dev from a fresh clone: API ready after ${seconds(apiReadyMs)}, web app after ${seconds(webReadyMs)} (target: 25 s); Ctrl+C: exit ${code} after ${seconds(stopMs)} (at most 5 s)`,
      );
    }, 240_000);
  });
});
