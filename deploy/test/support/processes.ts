import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execForm, parseDockerfile, stepsOf } from './dockerfile';
import { REPO_ROOT, WEB_DOCKERFILE } from './paths';
import { acceptsConnections, expectEventually, freePort } from '@chat/test-support';

/** A child process with its output kept, stopped with a signal and awaited. */
export class Service {
  private output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  logs(): string {
    return this.output;
  }

  /** JSON log lines (pino), the rest skipped. */
  jsonLogs(): Record<string, any>[] {
    return this.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, any>];
        } catch {
          return [];
        }
      });
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.running()) this.child.kill(signal);
    await this.exited;
  }

  /** Polls until `probe` passes, failing early with the logs if the process died. */
  async waitUntil(probe: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
    await expectEventually(
      async () => {
        if (!this.running()) throw new Error(`${this.name} exited:\n${this.output}`);
        await probe();
      },
      { timeoutMs, intervalMs: 100 },
    );
  }
}

/** A real redis-server on a free loopback port, with a password as shipped, nothing on disk. */
export async function startRedis(): Promise<Service & { url: string }> {
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const directory = mkdtempSync(join(tmpdir(), 'chat-redis-'));
  const child = spawn(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', ''],
      ...['--requirepass', password],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const service = new Service('redis-server', child, port);
  void service.exited.then(() => rmSync(directory, { recursive: true, force: true }));
  await service.waitUntil(() => acceptsConnections(port), 10_000);
  return Object.assign(service, { url: `redis://:${password}@127.0.0.1:${port}` });
}

export const API_ENTRY = join(REPO_ROOT, 'apps/api/dist/main.js');

/**
 * The built API as production runs it (`node dist/main.js`), ready when readiness says so, with
 * its metrics listener on a loopback port of its own.
 */
export async function startApi(name: string, environment: Record<string, string>) {
  if (!existsSync(API_ENTRY)) {
    throw new Error(`${API_ENTRY} is missing: build first (pnpm build)`);
  }
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [API_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      ...environment,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = new Service(name, child, port);
  await service.waitUntil(async () => {
    const response = await fetch(`${service.baseUrl}/api/health/ready`);
    if (response.status !== 200) throw new Error(`${name} not ready: ${response.status}`);
  });
  return Object.assign(service, { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
}

/** The Next build output the web image is made from (`NEXT_DIST_DIR`, `.next` by default). */
export function webDistDirectory(): string {
  return process.env.CHAT_WEB_DIST_DIR || '.next';
}

/**
 * Lays out the web image's /app as apps/web/Dockerfile does, from the host's build: the final
 * stage's COPY --from=builder steps, with the builder's /app read as this repository.
 * Returns the directory and the command and environment the image would run.
 */
export function assembleWebImage(): {
  root: string;
  command: string[];
  environment: Record<string, string>;
} {
  const dockerfile = parseDockerfile(WEB_DOCKERFILE);
  const builderRoot = stepsOf(dockerfile.stage('base'), 'WORKDIR')[0]!.text;
  const distDirectory = webDistDirectory();
  const root = mkdtempSync(join(tmpdir(), 'chat-web-image-'));
  for (const copy of stepsOf(dockerfile.final, 'COPY')) {
    if (copy.flags.from !== 'builder') throw new Error(`unexpected COPY ${copy.text}`);
    const fromRepository = (path: string) => path.replace('/.next', `/${distDirectory}`);
    const source = join(
      REPO_ROOT,
      fromRepository(copy.arguments[0]!).slice(builderRoot.length + 1),
    );
    const destination = join(root, fromRepository(copy.arguments[1]!));
    if (!existsSync(source)) {
      throw new Error(`${source} is missing: build the web app first (pnpm build)`);
    }
    mkdirSync(dirname(destination), { recursive: true });
    // pnpm's node_modules are symlinks: keep them exactly as the build wrote them.
    cpSync(source, destination, { recursive: true, verbatimSymlinks: true });
  }
  const environment = Object.assign(
    {},
    ...stepsOf(dockerfile.final, 'ENV').map((step) => step.properties),
  ) as Record<string, string>;
  const command = execForm(stepsOf(dockerfile.final, 'CMD')[0]!.text)!;
  return { root, command, environment };
}

/** Runs the assembled web image's command, on loopback, until `/` answers 200. */
export async function startWeb(apiInternalUrl: string) {
  const image = assembleWebImage();
  const port = await freePort();
  const [program, ...programArguments] = image.command;
  if (program !== 'node') throw new Error(`the web image runs ${program}, not node`);
  const child = spawn(process.execPath, programArguments, {
    cwd: image.root,
    env: {
      PATH: process.env.PATH ?? '',
      ...image.environment,
      PORT: String(port),
      // The image listens on every interface; a test stays on loopback.
      HOSTNAME: '127.0.0.1',
      API_INTERNAL_URL: apiInternalUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = new Service('web', child, port);
  void service.exited.then(() => rmSync(image.root, { recursive: true, force: true }));
  await service.waitUntil(async () => {
    const response = await fetch(`${service.baseUrl}/`);
    if (response.status !== 200) throw new Error(`web / answered ${response.status}`);
  });
  return service;
}
