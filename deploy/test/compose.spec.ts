import { readFileSync } from 'node:fs';
import {
  API_PREFIX,
  DEFAULT_API_PORT,
  DEFAULT_WEB_PORT,
  GATEWAY_PATH,
  PUBLIC_GATEWAY_PATH,
} from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ComposeFile,
  durationSeconds,
  InterpolationError,
  loadCompose,
  loadRawCompose,
  readComposeText,
  referencedVariables,
  serviceNetworks,
} from './support/compose';
import { ENV_EXAMPLE_FILE } from './support/paths';
import {
  dokployDomainRouter,
  effectivePriority,
  forwardedPath,
  pickRouter,
  readLabels,
  type TraefikRouter,
} from './support/traefik';

const HOST = 'chat.example.com';
const FLAGS = ['NEXT_PUBLIC_THREADS_ENABLED', 'NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED'] as const;
// 63 + 1 + 63 + 1 + 63 + 1 + 61: the longest name DNS allows.
const LONGEST_HOST = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
// Traefik v3 keeps the priorities above MaxInt32 - 1000 for its internal routers.
const TRAEFIK_MAX_USER_PRIORITY = 2 ** 31 - 1 - 1000;

function stack(environment: Record<string, string> = {}): ComposeFile {
  return loadCompose({ APP_HOST: HOST, ...environment });
}

/** The api service's labels plus the router Dokploy generates for the web domain. */
function edge(host = HOST, environment: Record<string, string> = {}) {
  const compose = stack({ APP_HOST: host, ...environment });
  const labels = readLabels(compose.services.api!.labels!);
  const webRouter = dokployDomainRouter(host);
  const routers: TraefikRouter[] = [...labels.routers.values(), webRouter];
  const route = (path: string, entryPoint = 'websecure') =>
    pickRouter(routers, { host, path, entryPoint });
  const wsRouter = route(PUBLIC_GATEWAY_PATH);
  return { compose, labels, routers, webRouter, route, wsRouter };
}

describe('docker-compose.dokploy.yml', () => {
  describe('the WebSocket router on the api service', () => {
    it('takes /api/ws/chat and strips it to the gateway path the API mounts', () => {
      const { labels, wsRouter } = edge();
      expect(wsRouter, 'no router matches the public gateway path').toBeDefined();
      expect(labels.routers.has(wsRouter!.name)).toBe(true);
      expect(PUBLIC_GATEWAY_PATH).toBe(`/${API_PREFIX}${GATEWAY_PATH}`);
      expect(forwardedPath(wsRouter!, labels.middlewares, PUBLIC_GATEWAY_PATH)).toBe(GATEWAY_PATH);
      // A query string or a deeper path keeps its tail after the strip.
      expect(forwardedPath(wsRouter!, labels.middlewares, `${PUBLIC_GATEWAY_PATH}/x`)).toBe(
        `${GATEWAY_PATH}/x`,
      );
    });

    it('leaves /api/bookings and / to the web router', () => {
      const { route, webRouter } = edge();
      for (const path of ['/api/bookings', '/', '/threads/th_bk_1001', '/api/health']) {
        expect(route(path)?.name, path).toBe(webRouter.name);
      }
    });

    it('only answers for the configured host', () => {
      const { routers } = edge();
      const request = { path: PUBLIC_GATEWAY_PATH, entryPoint: 'websecure' };
      expect(pickRouter(routers, { ...request, host: 'other.example.com' })).toBeUndefined();
      expect(pickRouter(routers, { ...request, host: HOST.toUpperCase() })).toBeDefined();
    });

    it('forwards to the API port through an explicitly named service', () => {
      const { labels, wsRouter } = edge();
      expect(wsRouter!.service, 'set .service= so Traefik never guesses').toBeDefined();
      const service = labels.services.get(wsRouter!.service!);
      expect(service?.port).toBe(DEFAULT_API_PORT);
      expect(stack().services.api!.environment!.PORT).toBe(String(DEFAULT_API_PORT));
    });

    it('beats a Dokploy-generated Host(...) router even for the longest host name', () => {
      const longestGenerated = dokployDomainRouter(LONGEST_HOST);
      expect(LONGEST_HOST).toHaveLength(253);
      expect(effectivePriority(longestGenerated)).toBe(261);

      const { wsRouter } = edge();
      expect(wsRouter!.priority, 'explicit priority label').toBeDefined();
      expect(wsRouter!.priority!).toBeGreaterThan(effectivePriority(longestGenerated));
      expect(wsRouter!.priority!).toBeLessThanOrEqual(TRAEFIK_MAX_USER_PRIORITY);

      // And the whole decision with that host: the WebSocket path reaches the api router.
      const longest = edge(LONGEST_HOST);
      expect(longest.route(PUBLIC_GATEWAY_PATH)?.name).toBe(wsRouter!.name);
      expect(longest.route('/api/bookings')?.name).toBe(longest.webRouter.name);
    });

    it('a priority of 100 would have lost to the generated router on a long host name', () => {
      // Why the number is not the 100 that once looked safe: Traefik compares it with the
      // length of the generated rule, which passes 100 from a 93-character host on.
      const host = `${'x'.repeat(60)}.${'y'.repeat(24)}.example`;
      expect(dokployDomainRouter(host).rule.length).toBe(101);
      const { labels, webRouter } = edge(host);
      const weak = { ...[...labels.routers.values()][0]!, priority: 100 };
      const picked = pickRouter([weak, webRouter], {
        host,
        path: PUBLIC_GATEWAY_PATH,
        entryPoint: 'websecure',
      });
      expect(picked?.name).toBe(webRouter.name);
    });

    it('is on the websecure entry point with TLS, reached over dokploy-network', () => {
      const { labels, wsRouter } = edge();
      expect(labels.enabled).toBe(true);
      expect(wsRouter!.entryPoints).toEqual(['websecure']);
      expect(wsRouter!.tls).toBe(true);
      expect(labels.dockerNetwork).toBe('dokploy-network');
      // A custom entry point name is a variable away.
      const custom = edge(HOST, { TRAEFIK_ENTRYPOINT: 'https' });
      expect(custom.route(PUBLIC_GATEWAY_PATH, 'https')?.name).toBe(wsRouter!.name);
    });

    it('names routers, middleware and services after STACK_NAME so two stacks can share Traefik', () => {
      const production = [...edge(HOST, { STACK_NAME: 'chat-prod' }).labels.routers.keys()];
      const staging = [...edge(HOST, { STACK_NAME: 'chat-staging' }).labels.routers.keys()];
      expect(production.some((name) => staging.includes(name))).toBe(false);
    });

    it('keeps labels in list form, the only form Dokploy adds its domain labels to', () => {
      for (const [name, service] of Object.entries(loadRawCompose().services)) {
        if (service.labels !== undefined) expect(Array.isArray(service.labels), name).toBe(true);
      }
    });
  });

  describe('the web service', () => {
    it.each(FLAGS)('passes %s as a build arg and as environment, from one variable', (flag) => {
      const raw = loadRawCompose().services.web!;
      expect(raw.build?.args?.[flag], 'build.args').toBeDefined();
      expect(raw.environment?.[flag], 'environment').toBeDefined();
      for (const value of ['true', 'false']) {
        const web = stack({ [flag]: value }).services.web!;
        expect(web.build!.args![flag]).toBe(value);
        expect(web.environment![flag]).toBe(value);
      }
      // Unset, the value is empty and the web app's own default applies (lib/build-flags.ts).
      expect(stack().services.web!.build!.args![flag]).toBe('');
    });

    it('is health-checked with wget on / at the web port it listens on', () => {
      const web = stack().services.web!;
      const [kind, tool, ...argumentsAndUrl] = web.healthcheck!.test;
      expect(kind).toBe('CMD');
      expect(tool).toBe('wget');
      const url = new URL(argumentsAndUrl.at(-1)!);
      expect(url.hostname).toBe('127.0.0.1');
      expect(Number(url.port)).toBe(DEFAULT_WEB_PORT);
      expect(url.pathname).toBe('/');
      expect(web.environment!.PORT).toBe(String(DEFAULT_WEB_PORT));
      expect(web.environment!.HOSTNAME, 'server.js must not bind to the container id').toBe(
        '0.0.0.0',
      );
    });

    it('reaches the API at runtime through API_INTERNAL_URL', () => {
      const web = stack().services.web!;
      const url = new URL(web.environment!.API_INTERNAL_URL!);
      expect(Number(url.port)).toBe(DEFAULT_API_PORT);
      expect(web.build!.args!.API_INTERNAL_URL, 'runtime, not a build input').toBeUndefined();
      expect(
        stack({ API_INTERNAL_URL: 'http://elsewhere:3002' }).services.web!.environment!
          .API_INTERNAL_URL,
      ).toBe('http://elsewhere:3002');
    });
  });

  describe('the api service', () => {
    it('runs two replicas with a stop grace period that outlasts the drain', () => {
      const api = stack().services.api!;
      expect(api.deploy!.replicas).toBeGreaterThanOrEqual(2);
      // The API exits by SHUTDOWN_GRACE_MS; Docker's SIGKILL must come later, with room to spare.
      const drainSeconds = Number(api.environment!.SHUTDOWN_GRACE_MS) / 1000;
      expect(drainSeconds).toBeGreaterThanOrEqual(10);
      expect(durationSeconds(api.stop_grace_period!)).toBeGreaterThanOrEqual(drainSeconds + 5);
    });

    it('is health-checked on readiness at the API port', () => {
      const api = stack().services.api!;
      const url = new URL(api.healthcheck!.test.at(-1)!);
      expect(Number(url.port)).toBe(DEFAULT_API_PORT);
      expect(url.pathname).toBe(`/${API_PREFIX}/health/ready`);
    });

    it('runs in production on Redis with the public origin as the only allowed origin', () => {
      const environment = stack().services.api!.environment!;
      expect(environment.NODE_ENV).toBe('production');
      expect(environment.ALLOWED_ORIGINS).toBe(`https://${HOST}`);
      expect(environment.REDIS_URL).toMatch(/^redis:\/\//);
      expect(
        stack({ REDIS_URL: 'rediss://u:p@managed:6380/0' }).services.api!.environment!.REDIS_URL,
      ).toBe('rediss://u:p@managed:6380/0');
    });

    it('refuses to start the stack without APP_HOST', () => {
      expect(() => loadCompose({})).toThrow(InterpolationError);
      expect(() => loadCompose({ APP_HOST: '' })).toThrow(/APP_HOST/);
    });
  });

  describe('networks', () => {
    it('puts every routed service on the external dokploy-network', () => {
      const compose = stack();
      expect(compose.networks!['dokploy-network']?.external).toBe(true);
      // api is routed by its labels, web by the router Dokploy generates for its domain.
      const routed = Object.entries(compose.services)
        .filter(([name, service]) => name === 'web' || readLabels(service.labels ?? []).enabled)
        .map(([name]) => name);
      expect(routed.sort()).toEqual(['api', 'web']);
      for (const name of routed) {
        expect(Object.keys(serviceNetworks(compose.services[name]!)), name).toContain(
          'dokploy-network',
        );
      }
    });

    it('keeps redis off the shared network and unpublished', () => {
      const redis = stack().services.redis!;
      expect(Object.keys(serviceNetworks(redis))).toEqual(['default']);
      expect(redis.ports).toBeUndefined();
    });

    it('reaches redis and the api by stack-unique aliases, not by names other stacks share', () => {
      const compose = stack({ STACK_NAME: 'chat-prod' });
      const aliasesOf = (service: string) =>
        serviceNetworks(compose.services[service]!).default?.aliases ?? [];
      const redisHost = new URL(compose.services.api!.environment!.REDIS_URL!).hostname;
      const apiHost = new URL(compose.services.web!.environment!.API_INTERNAL_URL!).hostname;
      expect(aliasesOf('redis')).toContain(redisHost);
      expect(aliasesOf('api')).toContain(apiHost);
      expect(redisHost).toBe('chat-prod-redis');
      expect(apiHost).toBe('chat-prod-api');
    });
  });

  describe('redis', () => {
    it('persists with the append-only file on a named volume and has a health check', () => {
      const compose = stack();
      const redis = compose.services.redis!;
      const command = redis.command!;
      expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
      // Nothing acknowledged may be lost (docs/RELIABILITY.md): fsync before answering.
      expect(command[command.indexOf('--appendfsync') + 1]).toBe('always');
      const [volume, target] = redis.volumes![0]!.split(':');
      expect(target).toBe('/data');
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
      expect(redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
      expect(compose.services.api!.depends_on!.redis!.condition).toBe('service_healthy');
    });
  });

  describe('.env.example', () => {
    it('documents exactly the variables the compose file reads', () => {
      const documented = new Set(
        [...readFileSync(ENV_EXAMPLE_FILE, 'utf8').matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map(
          (match) => match[1]!,
        ),
      );
      expect([...documented].sort()).toEqual([...referencedVariables(readComposeText())].sort());
    });

    it('describes a stack that interpolates as is', () => {
      const example = Object.fromEntries(
        [...readFileSync(ENV_EXAMPLE_FILE, 'utf8').matchAll(/^([A-Z_][A-Z0-9_]*)=(.*)$/gm)].map(
          (match) => [match[1]!, match[2]!],
        ),
      );
      const compose = loadCompose(example);
      expect(compose.services.api!.environment!.ALLOWED_ORIGINS).toBe(
        `https://${example.APP_HOST}`,
      );
    });
  });
});
