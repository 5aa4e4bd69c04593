import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCLinter } from 'dclint';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@chat/api/dist/config/app-config';
import {
  type Child,
  expectEventually,
  freePort,
  parseInfo,
  redisCli,
  spawnChild,
} from '@chat/test-support';
import {
  type ComposeService,
  InterpolationError,
  loadCompose,
  readComposeText,
  referencedVariables,
  serviceNetworks,
} from './support/compose';
import {
  COMPOSE_FILE,
  REDIS_SCRIPTS,
  SENTINEL_COMPOSE_FILE,
  SENTINEL_ENV_EXAMPLE_FILE,
} from './support/paths';

const ENVIRONMENT = {
  APP_HOST: 'chat.example.com',
  STACK_NAME: 'chat-prod',
  REDIS_PASSWORD: 'data-secret-0123456789',
  REDIS_SENTINEL_PASSWORD: 'sentinel-secret-0123456789',
  TRUSTED_PROXY_SECRET: 'edge-secret-0123456789',
};
const stack = (environment: Record<string, string> = {}) =>
  loadCompose({ ...ENVIRONMENT, ...environment }, SENTINEL_COMPOSE_FILE);
const base = () => loadCompose(ENVIRONMENT, COMPOSE_FILE);

const REDIS_VARIABLES = /^REDIS_/;
const withoutRedis = ({ environment, depends_on: _dependsOn, ...service }: ComposeService) => ({
  ...service,
  environment: Object.fromEntries(
    Object.entries(environment ?? {}).filter(([name]) => !REDIS_VARIABLES.test(name)),
  ),
});

const aliasOf = (service: ComposeService) => serviceNetworks(service).data?.aliases?.[0];

describe('docker-compose.sentinel.yml', () => {
  it('passes the compose schema and dclint with no error and no warning', () => {
    const linter = new DCLinter({
      rules: { 'require-project-name-field': 0 },
      quiet: false,
      debug: false,
      exclude: [],
    });
    const [result] = linter.lintFiles([SENTINEL_COMPOSE_FILE], false);
    expect(result!.messages).toEqual([]);
  });

  it('runs the api and web of docker-compose.dokploy.yml, only reaching Redis otherwise', () => {
    const sentinel = stack();
    const dokploy = base();
    expect(withoutRedis(sentinel.services.api!)).toEqual(withoutRedis(dokploy.services.api!));
    expect(sentinel.services.web).toEqual(dokploy.services.web);
  });

  it("gives the api a Sentinel configuration the API's own schema accepts, aimed at the sentinels", () => {
    const { services } = stack();
    const config = loadConfig(services.api!.environment!);
    const sentinels = Object.entries(services).filter(([name]) => name.startsWith('sentinel-'));
    expect(sentinels).toHaveLength(3);
    expect(config.redis).toEqual({
      mode: 'sentinel',
      sentinels: sentinels.map(([, service]) => ({ host: aliasOf(service), port: 26379 })),
      masterName: sentinels[0]![1].environment!.MASTER_NAME,
      username: undefined,
      password: ENVIRONMENT.REDIS_PASSWORD,
      sentinelUsername: undefined,
      sentinelPassword: ENVIRONMENT.REDIS_SENTINEL_PASSWORD,
    });
    // Acknowledged means a replica has it, and a promoted master still has a replica to wait for.
    expect(config.replicaAck.replicas).toBe(1);
    const replicas = Object.values(services).filter((service) => service.environment?.REPLICA_OF);
    expect(replicas.length).toBeGreaterThanOrEqual(config.replicaAck.replicas + 1);
    expect(Object.keys(services.api!.depends_on!)).toEqual(sentinels.map(([name]) => name));
  });

  it('documents exactly the variables it reads in .env.sentinel.example', () => {
    const documented = new Set(
      readFileSync(SENTINEL_ENV_EXAMPLE_FILE, 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
        .map((line) => line.slice(0, line.indexOf('='))),
    );
    expect([...documented].sort()).toEqual(
      [...referencedVariables(readComposeText(SENTINEL_COMPOSE_FILE))].sort(),
    );
  });

  it('refuses to interpolate without the two passwords', () => {
    expect(() => stack({ REDIS_PASSWORD: '' })).toThrow(InterpolationError);
    expect(() => stack({ REDIS_SENTINEL_PASSWORD: '' })).toThrow(InterpolationError);
  });

  it('wires the nodes and the sentinels to each other by their stack-unique names, privately', () => {
    const { services } = stack();
    const nodes = Object.entries(services).filter(([name]) => /^redis-\d$/.test(name));
    const sentinels = Object.entries(services).filter(([name]) => name.startsWith('sentinel-'));
    const [, first] = nodes[0]!;
    expect(first.environment!.REPLICA_OF).toBe('');
    for (const [name, service] of nodes) {
      expect(service.entrypoint).toEqual(['sh', '/etc/chat-redis/redis-node.sh']);
      expect(service.environment!.ANNOUNCE_HOST).toBe(aliasOf(service));
      expect(aliasOf(service)).toBe(`chat-prod-${name}`);
      if (service !== first) expect(service.environment!.REPLICA_OF).toBe(aliasOf(first));
    }
    for (const [, service] of sentinels) {
      expect(service.entrypoint).toEqual(['sh', '/etc/chat-redis/sentinel.sh']);
      expect(service.environment!.MASTER_HOST).toBe(aliasOf(first));
      // A majority of the three must agree before a failover.
      expect(Number(service.environment!.QUORUM)).toBe(Math.floor(sentinels.length / 2) + 1);
    }
    for (const [name, service] of [...nodes, ...sentinels]) {
      expect(Object.keys(serviceNetworks(service)), name).toEqual(['data']);
      expect(service.volumes, name).toContain('./deploy/redis:/etc/chat-redis:ro');
    }
  });
});

/**
 * The entrypoints the stack runs, run here as they are with a real redis-server on loopback
 * (ports and names are the only difference): the group forms, and a dead master is replaced.
 */
describe('deploy/redis entrypoints', () => {
  const children: Child[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'chat-redis-entrypoints-'));
  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    rmSync(scratch, { recursive: true, force: true });
  });

  const run = (script: string, name: string, environment: Record<string, string>) => {
    const dataDir = join(scratch, name);
    const child = spawnChild(
      'sh',
      ['-c', `mkdir -p "${dataDir}" && exec sh "${join(REDIS_SCRIPTS, script)}"`],
      { DATA_DIR: dataDir, ...environment },
    );
    children.push(child);
    return {
      child,
      config: () =>
        readFileSync(
          join(dataDir, script === 'sentinel.sh' ? 'sentinel.conf' : 'redis.conf'),
          'utf8',
        ),
    };
  };

  it('form a Sentinel group with AOF and passwords, and promote a replica when the master dies', async () => {
    const password = ENVIRONMENT.REDIS_PASSWORD;
    const sentinelPassword = ENVIRONMENT.REDIS_SENTINEL_PASSWORD;
    const nodePorts = [await freePort(), await freePort()];
    const nodes = nodePorts.map((port, index) =>
      run('redis-node.sh', `node-${index}`, {
        PORT: String(port),
        REDIS_PASSWORD: password,
        ANNOUNCE_HOST: 'localhost',
        ...(index === 0 ? {} : { REPLICA_OF: 'localhost', REPLICA_OF_PORT: String(nodePorts[0]) }),
      }),
    );
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    await expectEventually(
      async () => expect((await redisCli(nodePorts[0]!, password, ['PING'])).trim()).toBe('PONG'),
      { timeoutMs: 10_000 },
    );
    sentinelPorts.forEach((port, index) =>
      run('sentinel.sh', `sentinel-${index}`, {
        PORT: String(port),
        MASTER_NAME: 'chat',
        MASTER_HOST: 'localhost',
        MASTER_PORT: String(nodePorts[0]),
        DOWN_AFTER_MS: '1000',
        REDIS_PASSWORD: password,
        SENTINEL_PASSWORD: sentinelPassword,
        ANNOUNCE_HOST: 'localhost',
      }),
    );
    const master = async () =>
      (
        await redisCli(sentinelPorts[0]!, sentinelPassword, [
          'SENTINEL',
          'get-master-addr-by-name',
          'chat',
        ])
      )
        .trim()
        .split('\n');
    await expectEventually(
      async () => {
        const info = parseInfo(await redisCli(nodePorts[1]!, password, ['INFO', 'replication']));
        expect(info.get('master_link_status')).toBe('up');
        const fields = (
          await redisCli(sentinelPorts[0]!, sentinelPassword, ['SENTINEL', 'master', 'chat'])
        ).split('\n');
        expect(Number(fields[fields.indexOf('num-other-sentinels') + 1])).toBe(2);
        expect(Number(fields[fields.indexOf('num-slaves') + 1])).toBe(1);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(await master()).toEqual(['localhost', String(nodePorts[0])]);
    expect(
      (await redisCli(nodePorts[0]!, password, ['CONFIG', 'GET', 'appendfsync'])).split('\n')[1],
    ).toBe('always');
    // Neither the nodes nor the sentinels answer without the password.
    const anonymous = (port: number) =>
      redisCli(port, null, ['PING']).catch((error: Error) => error.message);
    expect(await anonymous(nodePorts[0]!)).toMatch(/NOAUTH/);
    expect(await anonymous(sentinelPorts[0]!)).toMatch(/NOAUTH/);

    await nodes[0]!.child.stop('SIGKILL');
    await expectEventually(
      async () => expect(await master()).toEqual(['localhost', String(nodePorts[1])]),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // The promoted node keeps its role in its config for its next start.
    await expectEventually(() => expect(nodes[1]!.config()).not.toMatch(/^replicaof /m), {
      timeoutMs: 10_000,
      intervalMs: 200,
    });
  });
});
