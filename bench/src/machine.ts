import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { RedisServer } from './infra/redis-server';
import { API_ENTRY } from './contenders/api-contender';

function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? osType();
  } catch {
    return osType();
  }
}

function fileDescriptorLimit(): string {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'));
    return line?.split(/\s{2,}/)[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The revision the measured API was built from (its checkout may be another worktree). */
function gitRevision(): string {
  try {
    const options = { encoding: 'utf8' as const, cwd: dirname(API_ENTRY) };
    const revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], options).trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no', '--', ':/apps/api', ':/packages'],
      options,
    ).trim();
    return dirty ? `${revision} (API or protocol with local changes)` : revision;
  } catch {
    return 'unknown';
  }
}

export function describeMachine() {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: osName(),
    kernel: release(),
    fileDescriptorLimit: fileDescriptorLimit(),
  };
}

export function describeVersions(): Record<string, string> {
  return {
    node: process.versions.node,
    'redis-server': RedisServer.version(),
    'socket.io': packageVersion('socket.io'),
    '@socket.io/redis-adapter': packageVersion('@socket.io/redis-adapter'),
    '@socket.io/redis-streams-adapter': packageVersion('@socket.io/redis-streams-adapter'),
    ws: packageVersion('ws'),
    ioredis: packageVersion('ioredis'),
    api: gitRevision(),
  };
}
