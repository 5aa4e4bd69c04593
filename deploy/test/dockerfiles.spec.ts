import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_PREFIX, DEFAULT_API_PORT, DEFAULT_WEB_PORT } from '@chat/protocol';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import {
  execForm,
  inBuildContext,
  parseDockerfile,
  type ParsedDockerfile,
  stepsOf,
} from './support/dockerfile';
import { API_DOCKERFILE, DOCKERIGNORE_FILE, REPO_ROOT, WEB_DOCKERFILE } from './support/paths';

const rootManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  packageManager: string;
  engines: { node: string };
};
const NODE_MAJOR = readFileSync(join(REPO_ROOT, '.nvmrc'), 'utf8').trim();
const PNPM_VERSION = rootManifest.packageManager.replace(/^pnpm@/, '');
const TURBO_VERSION = /^ {2}turbo@(\d+\.\d+\.\d+):$/m.exec(
  readFileSync(join(REPO_ROOT, 'pnpm-lock.yaml'), 'utf8'),
)?.[1];

const images = [
  {
    name: 'api',
    path: API_DOCKERFILE,
    workspacePackage: '@chat/api',
    port: DEFAULT_API_PORT,
    healthPath: `/${API_PREFIX}/health/ready`,
  },
  {
    name: 'web',
    path: WEB_DOCKERFILE,
    workspacePackage: '@chat/web',
    port: DEFAULT_WEB_PORT,
    healthPath: '/',
  },
] as const;

/** Where a COPY into the final stage puts things, relative to its WORKDIR. */
function copiesIntoFinal(dockerfile: ParsedDockerfile) {
  return stepsOf(dockerfile.final, 'COPY').map((step) => ({
    from: step.flags.from,
    chown: step.flags.chown,
    source: step.arguments[0]!,
    destination: step.arguments[1]!.replace(/^\.\/?/, '').replace(/\/$/, ''),
  }));
}

describe.each(images)('$name Dockerfile', (image) => {
  const dockerfile = parseDockerfile(image.path);

  it('passes the Dockerfile linter (dockerfile-utils) with no problem', () => {
    expect(validate(dockerfile.content)).toEqual([]);
  });

  it('runs on Node of the repository major on Alpine', () => {
    expect(NODE_MAJOR).toMatch(/^\d+$/);
    expect(rootManifest.engines.node).toContain(`>=${NODE_MAJOR}`);
    expect(dockerfile.final.from).toBe(`node:${NODE_MAJOR}-alpine`);
    expect(dockerfile.stage('base').from).toBe(`node:${NODE_MAJOR}-alpine`);
  });

  it('runs as the unprivileged node user, set before the command', () => {
    const users = stepsOf(dockerfile.final, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]!.text).toBe('node');
    const command = stepsOf(dockerfile.final, 'CMD')[0]!;
    expect(users[0]!.index).toBeLessThan(command.index);
    for (const copy of copiesIntoFinal(dockerfile))
      expect(copy.chown, copy.source).toBe('node:node');
  });

  it('starts under tini so SIGTERM reaches node', () => {
    const entrypoint = stepsOf(dockerfile.final, 'ENTRYPOINT')[0]!;
    expect(execForm(entrypoint.text)).toEqual(['/sbin/tini', '--']);
    expect(stepsOf(dockerfile.final, 'RUN').map((step) => step.text)).toContain(
      'apk add --no-cache tini',
    );
  });

  it('health-checks its own port with a tool the image has', () => {
    const healthcheck = stepsOf(dockerfile.final, 'HEALTHCHECK')[0]!;
    const [tool, ...rest] = execForm(healthcheck.text)!;
    // BusyBox, in every Alpine image, provides wget; nothing else is assumed installed.
    expect(tool).toBe('wget');
    expect(dockerfile.final.from).toMatch(/-alpine$/);
    const url = new URL(rest.at(-1)!);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBe(image.port);
    expect(url.pathname).toBe(image.healthPath);
    const environment = Object.assign(
      {},
      ...stepsOf(dockerfile.final, 'ENV').map((step) => step.properties),
    );
    expect(environment.PORT).toBe(String(image.port));
    expect(stepsOf(dockerfile.final, 'EXPOSE')[0]!.text).toBe(String(image.port));
  });

  it('installs dependencies in a layer keyed only by the pruned manifests and lockfile', () => {
    const prune = stepsOf(dockerfile.stage('pruner'), 'RUN')[0]!;
    expect(prune.text).toBe(`turbo prune ${image.workspacePackage} --docker`);
    const builder = dockerfile.stage('builder');
    const copies = stepsOf(builder, 'COPY');
    const manifests = copies.find((copy) => copy.arguments[0] === '/app/out/json/')!;
    const sources = copies.find((copy) => copy.arguments[0] === '/app/out/full/')!;
    const install = stepsOf(builder, 'RUN').find((step) =>
      step.text.includes('pnpm install --frozen-lockfile'),
    )!;
    expect(manifests.flags.from).toBe('pruner');
    expect(sources.flags.from).toBe('pruner');
    expect(manifests.index).toBeLessThan(install.index);
    expect(install.index).toBeLessThan(sources.index);
    expect(install.flags.mount).toMatch(/^type=cache,/);
    // Nothing but the manifests may come before the install, or every source edit reinstalls.
    expect(copies.filter((copy) => copy.index < install.index)).toEqual([manifests]);
  });

  it('pins pnpm and turbo to the versions the repository uses', () => {
    const base = Object.assign(
      {},
      ...stepsOf(dockerfile.stage('base'), 'ARG').map((step) => step.properties),
    );
    expect(base.PNPM_VERSION).toBe(PNPM_VERSION);
    expect(TURBO_VERSION).toBeDefined();
    expect(base.TURBO_VERSION).toBe(TURBO_VERSION);
  });
});

describe('api Dockerfile', () => {
  const dockerfile = parseDockerfile(API_DOCKERFILE);

  it('runs dist/main.js from a pnpm deploy of the API with production dependencies only', () => {
    const deploy = stepsOf(dockerfile.stage('builder'), 'RUN').find((step) =>
      step.text.includes(' deploy '),
    )!;
    expect(deploy.text).toMatch(/pnpm --filter @chat\/api deploy .*--prod \/prod\/api$/);
    const copies = copiesIntoFinal(dockerfile);
    expect(copies.map((copy) => [copy.source, copy.destination])).toEqual([
      ['/prod/api/package.json', 'package.json'],
      ['/prod/api/node_modules', 'node_modules'],
      ['/prod/api/dist', 'dist'],
    ]);
    const command = execForm(stepsOf(dockerfile.final, 'CMD')[0]!.text)!;
    expect(command[0]).toBe('node');
    expect(command.at(-1)).toBe('dist/main.js');
  });
});

describe('web Dockerfile', () => {
  const dockerfile = parseDockerfile(WEB_DOCKERFILE);
  const flags = ['NEXT_PUBLIC_THREADS_ENABLED', 'NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED'];

  it('runs the generated apps/web/server.js, unmodified', () => {
    expect(execForm(stepsOf(dockerfile.final, 'CMD')[0]!.text)).toEqual([
      'node',
      'apps/web/server.js',
    ]);
  });

  it('copies the standalone tree, its static chunks and public/ where server.js serves them from', () => {
    const workdir = stepsOf(dockerfile.final, 'WORKDIR')[0]!.text;
    expect(workdir).toBe('/app');
    const builderRoot = stepsOf(dockerfile.stage('base'), 'WORKDIR')[0]!.text;
    const app = `${builderRoot}/apps/web`;
    expect(copiesIntoFinal(dockerfile).map((copy) => [copy.source, copy.destination])).toEqual([
      // The standalone tree mirrors the monorepo: it holds apps/web/server.js.
      [`${app}/.next/standalone`, ''],
      [`${app}/.next/static`, 'apps/web/.next/static'],
      [`${app}/public`, 'apps/web/public'],
    ]);
  });

  it('listens on every interface, not on the container id Docker puts in HOSTNAME', () => {
    const environment = Object.assign(
      {},
      ...stepsOf(dockerfile.final, 'ENV').map((step) => step.properties),
    );
    expect(environment.HOSTNAME).toBe('0.0.0.0');
  });

  it.each(flags)('takes %s as a build arg and exports it before next build', (flag) => {
    const builder = dockerfile.stage('builder');
    const argument = stepsOf(builder, 'ARG').find((step) => flag in step.properties)!;
    const environment = stepsOf(builder, 'ENV').find((step) => flag in step.properties)!;
    const build = stepsOf(builder, 'RUN').find((step) => /run build$/.test(step.text))!;
    expect(argument.index).toBeLessThan(environment.index);
    expect(environment.properties[flag]).toBe(`\${${flag}}`);
    expect(environment.index).toBeLessThan(build.index);
  });
});

describe('.dockerignore', () => {
  const dockerignore = readFileSync(DOCKERIGNORE_FILE, 'utf8');

  it.each([
    'node_modules/.pnpm/x',
    'apps/web/node_modules/next/package.json',
    'apps/web/.next/standalone/apps/web/server.js',
    'apps/api/dist/main.js',
    '.git/HEAD',
    '.env',
    '.env.production',
    'packages/protocol/.turbo/turbo-build.log',
  ])('keeps %s out of the build context', (path) => {
    expect(inBuildContext(dockerignore, path)).toBe(false);
  });

  it.each([
    'package.json',
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    'turbo.json',
    'tsconfig.base.json',
    '.npmrc',
    'apps/api/src/main.ts',
    'apps/web/app/layout.tsx',
    'apps/web/public/favicon.ico',
    'apps/web/next.config.ts',
    'packages/protocol/src/index.ts',
  ])('keeps %s, which the build needs', (path) => {
    expect(inBuildContext(dockerignore, path)).toBe(true);
  });
});
