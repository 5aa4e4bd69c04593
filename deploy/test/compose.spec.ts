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
  headersOf,
  middlewaresOf,
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

const SECRET = 'a-secret-of-the-edge-0123456789';
/** What .env must give: the stack refuses to start without them. */
const REQUIRED = {
  APP_HOST: HOST,
  REDIS_PASSWORD: 'a-redis-password-0123',
  TRUSTED_PROXY_SECRET: SECRET,
};

function stack(environment: Record<string, string> = {}): ComposeFile {
  return loadCompose({ ...REQUIRED, ...environment });
}

/** The routers and middlewares the labels of every service give Traefik. */
function edge(host = HOST, environment: Record<string, string> = {}) {
  const compose = stack({ APP_HOST: host, ...environment });
  const all = Object.values(compose.services).map((service) => readLabels(service.labels ?? []));
  const labels = readLabels(compose.services.api!.labels!);
  const middlewares = new Map(all.flatMap((configuration) => [...configuration.middlewares]));
  const services = new Map(all.flatMap((configuration) => [...configuration.services]));
  const routers: TraefikRouter[] = all.flatMap((configuration) => [
    ...configuration.routers.values(),
  ]);
  const route = (path: string, entryPoint = 'websecure') =>
    pickRouter(routers, { host, path, entryPoint });
  const wsRouter = route(PUBLIC_GATEWAY_PATH);
  const webRouter = route('/')!;
  return { compose, labels, middlewares, services, routers, webRouter, route, wsRouter };
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

      // And the whole decision with that host, should someone also add a domain in Dokploy's UI:
      // the WebSocket path still reaches the api router.
      const longest = edge(LONGEST_HOST);
      const withGenerated = [...longest.routers, longestGenerated];
      const request = { host: LONGEST_HOST, entryPoint: 'websecure' };
      expect(pickRouter(withGenerated, { ...request, path: PUBLIC_GATEWAY_PATH })?.name).toBe(
        wsRouter!.name,
      );
      expect(pickRouter(withGenerated, { ...request, path: '/api/bookings' })?.name).not.toBe(
        wsRouter!.name,
      );
    });

    it('a priority of 100 would have lost to the generated router on a long host name', () => {
      // Why the number is not the 100 that once looked safe: Traefik compares it with the
      // length of the generated rule, which passes 100 from a 93-character host on.
      const host = `${'x'.repeat(60)}.${'y'.repeat(24)}.example`;
      expect(dokployDomainRouter(host).rule.length).toBe(101);
      const { labels } = edge(host);
      const webRouter = dokployDomainRouter(host);
      const weak = { ...[...labels.routers.values()][0]!, priority: 100 };
      const picked = pickRouter([weak, webRouter], {
        host,
        path: PUBLIC_GATEWAY_PATH,
        entryPoint: 'websecure',
      });
      expect(picked?.name).toBe(webRouter.name);
    });

    it('is on the websecure entry point with TLS, reached over dokploy-network', () => {
      const { labels, wsRouter, webRouter } = edge();
      expect(labels.enabled).toBe(true);
      for (const router of [wsRouter!, webRouter]) {
        expect(router.entryPoints, router.name).toEqual(['websecure']);
        expect(router.tls, router.name).toBe(true);
        expect(router.certResolver, router.name).toBe('letsencrypt');
      }
      for (const service of ['api', 'web']) {
        expect(readLabels(stack().services[service]!.labels!).dockerNetwork, service).toBe(
          'dokploy-network',
        );
      }
      // A custom entry point name is a variable away.
      const custom = edge(HOST, { TRAEFIK_ENTRYPOINT: 'https' });
      expect(custom.route(PUBLIC_GATEWAY_PATH, 'https')?.name).toBe(wsRouter!.name);
    });

    it('names routers, middleware and services after STACK_NAME so two stacks can share Traefik', () => {
      const names = (stackName: string) => {
        const { routers, middlewares, services } = edge(HOST, { STACK_NAME: stackName });
        return [...routers.map((router) => router.name), ...middlewares.keys(), ...services.keys()];
      };
      const production = names('chat-prod');
      const staging = names('chat-staging');
      expect(production.length).toBeGreaterThanOrEqual(8);
      expect(production.some((name) => staging.includes(name))).toBe(false);
    });

    it('keeps labels in list form, the only form Dokploy adds its domain labels to', () => {
      for (const [name, service] of Object.entries(loadRawCompose().services)) {
        if (service.labels !== undefined) expect(Array.isArray(service.labels), name).toBe(true);
      }
    });
  });

  describe('the routers to the host', () => {
    it('serve / and every path but the WebSocket one from web, and redirect plain HTTP to HTTPS', () => {
      const { route, middlewares, services, webRouter } = edge();
      for (const path of ['/', '/login', '/api/auth/login', '/threads/th_bk_1001']) {
        expect(route(path)?.name, path).toBe(webRouter.name);
      }
      expect(services.get(webRouter.service!)?.port).toBe(DEFAULT_WEB_PORT);
      const plain = route('/', 'web')!;
      const [redirect] = middlewaresOf(plain, middlewares);
      expect(redirect).toMatchObject({
        'redirectscheme.scheme': 'https',
        'redirectscheme.permanent': 'true',
      });
      expect(route(PUBLIC_GATEWAY_PATH, 'web')?.name).toBe(plain.name);
    });

    it('send HSTS, and prove themselves to the API with the secret it checks', () => {
      const { wsRouter, webRouter, middlewares, compose } = edge();
      for (const router of [wsRouter!, webRouter]) {
        const { request, response } = headersOf(router, middlewares);
        const maxAge = Number(
          /max-age=(\d+)/.exec(response['strict-transport-security'] ?? '')?.[1],
        );
        expect(maxAge, router.name).toBeGreaterThanOrEqual(31_536_000);
        expect(request['x-trusted-proxy-secret'], router.name).toBe(SECRET);
      }
      const api = compose.services.api!.environment!;
      expect(api.TRUSTED_PROXY_SECRET).toBe(SECRET);
      // Traefik and web reach the api from private addresses; the secret tells them apart.
      expect(api.TRUSTED_PROXIES).toBe('uniquelocal');
      expect(() => loadCompose({ ...REQUIRED, TRUSTED_PROXY_SECRET: '' })).toThrow(
        /TRUSTED_PROXY_SECRET/,
      );
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

    it("runs in production on the stack's Redis, with its password, and the public origin only", () => {
      const environment = stack().services.api!.environment!;
      expect(environment.NODE_ENV).toBe('production');
      expect(environment.ALLOWED_ORIGINS).toBe(`https://${HOST}`);
      expect(environment.REDIS_URL).toBe('');
      expect(environment.REDIS_HOST).toBe('chat-redis');
      expect(environment.REDIS_PASSWORD).toBe(REQUIRED.REDIS_PASSWORD);
      expect(
        stack({ REDIS_URL: 'rediss://u:p@managed:6380/0' }).services.api!.environment!.REDIS_URL,
      ).toBe('rediss://u:p@managed:6380/0');
      expect(() => loadCompose({ ...REQUIRED, REDIS_PASSWORD: '' })).toThrow(/REDIS_PASSWORD/);
    });

    it('refuses to start the stack without APP_HOST', () => {
      expect(() => loadCompose({})).toThrow(InterpolationError);
      expect(() => loadCompose({ ...REQUIRED, APP_HOST: '' })).toThrow(/APP_HOST/);
    });
  });

  describe('networks', () => {
    it('puts every routed service on the external dokploy-network', () => {
      const compose = stack();
      expect(compose.networks!['dokploy-network']?.external).toBe(true);
      const routed = Object.entries(compose.services)
        .filter(([, service]) => readLabels(service.labels ?? []).enabled)
        .map(([name]) => name);
      expect(routed.sort()).toEqual(['api', 'web']);
      for (const name of routed) {
        expect(Object.keys(serviceNetworks(compose.services[name]!)), name).toContain(
          'dokploy-network',
        );
      }
    });

    it('keeps redis off every network but the one it shares with api, and unpublished', () => {
      const compose = stack();
      const redis = compose.services.redis!;
      expect(Object.keys(serviceNetworks(redis))).toEqual(['data']);
      expect(redis.ports).toBeUndefined();
      for (const [name, service] of Object.entries(compose.services)) {
        expect(service.ports, `${name} publishes no port`).toBeUndefined();
      }
    });

    it('reaches redis, the api and its metrics by stack-unique aliases, not by names other stacks share', () => {
      const compose = stack({ STACK_NAME: 'chat-prod' });
      const aliasesOf = (service: string, network: string) =>
        (serviceNetworks(compose.services[service]!)[network] ?? {})?.aliases ?? [];
      const api = compose.services.api!.environment!;
      const apiHost = new URL(compose.services.web!.environment!.API_INTERNAL_URL!).hostname;
      expect(aliasesOf('redis', 'data')).toContain(api.REDIS_HOST);
      expect(aliasesOf('api', 'app')).toContain(apiHost);
      expect(aliasesOf('api', 'metrics')).toContain(api.METRICS_HOST);
      expect([api.REDIS_HOST, apiHost, api.METRICS_HOST]).toEqual([
        'chat-prod-redis',
        'chat-prod-api',
        'chat-prod-api-metrics',
      ]);
      expect(compose.networks!.metrics).toMatchObject({
        name: 'chat-prod-metrics',
        internal: true,
      });
    });

    // Who can open a connection to what, as Docker decides it: a container reaches a port of
    // another if they share a network on which that port listens. redis and web listen on every
    // network they are on; the api's HTTP port too, and its metrics listener only on the
    // network whose alias METRICS_HOST names (the API binds to its own address for that name).
    it('lets nothing on dokploy-network reach redis or the metrics port: only api, and Prometheus on the metrics network', () => {
      const compose = stack();
      const networksOf = (service: string) =>
        Object.keys(serviceNetworks(compose.services[service]!));
      const api = compose.services.api!.environment!;
      const metricsPort = Number(api.METRICS_PORT);
      const metricsNetworks = Object.entries(serviceNetworks(compose.services.api!))
        .filter(([, settings]) => settings?.aliases?.includes(api.METRICS_HOST!))
        .map(([network]) => network);
      const listeners: Array<{ service: string; port: number; networks: string[] }> = [
        { service: 'redis', port: 6379, networks: networksOf('redis') },
        { service: 'api', port: DEFAULT_API_PORT, networks: networksOf('api') },
        { service: 'api', port: metricsPort, networks: metricsNetworks },
        { service: 'web', port: DEFAULT_WEB_PORT, networks: networksOf('web') },
      ];
      const reachable = (fromNetworks: string[]) =>
        listeners
          .filter((listener) => listener.networks.some((network) => fromNetworks.includes(network)))
          .map((listener) => `${listener.service}:${listener.port}`)
          .sort();

      // Another project's container, on the shared network only; web, which faces it.
      expect(reachable(['dokploy-network'])).toEqual([
        `api:${DEFAULT_API_PORT}`,
        `web:${DEFAULT_WEB_PORT}`,
      ]);
      expect(reachable(networksOf('web'))).toEqual([
        `api:${DEFAULT_API_PORT}`,
        `web:${DEFAULT_WEB_PORT}`,
      ]);
      // api reaches redis; a Prometheus that joins the metrics network reaches the metrics only.
      expect(reachable(networksOf('api'))).toContain('redis:6379');
      // (The API's own port listens there too: Prometheus may read /api/health.)
      expect(reachable(['metrics'])).toEqual([`api:${DEFAULT_API_PORT}`, `api:${metricsPort}`]);
      expect(metricsNetworks).toEqual(['metrics']);
      for (const network of ['data', 'metrics']) {
        expect(compose.networks![network], network).toMatchObject({ internal: true });
      }
      // METRICS_HOST must be a name the API resolves to its own address on that network, not
      // an address that listens everywhere.
      expect(api.METRICS_HOST).not.toMatch(/^(0\.0\.0\.0|::|\*)$/);
    });
  });

  describe('redis', () => {
    // The command as the container's shell runs it (compose turns `$$` into `$`).
    const serverArguments = (compose: ComposeFile) => {
      const [shell, flag, script] = compose.services.redis!.command!;
      expect([shell, flag]).toEqual(['sh', '-c']);
      expect(script).toMatch(/^exec redis-server /);
      return script!.split(/\s+/).slice(2);
    };

    it('persists with the append-only file on a named volume and has a health check', () => {
      const compose = stack();
      const redis = compose.services.redis!;
      const command = serverArguments(compose);
      expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
      // Nothing acknowledged may be lost (docs/RELIABILITY.md): fsync before answering.
      expect(command[command.indexOf('--appendfsync') + 1]).toBe('always');
      const [volume, target] = redis.volumes![0]!.split(':');
      expect(target).toBe('/data');
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
      expect(redis.healthcheck!.test[0]).toBe('CMD-SHELL');
      expect(redis.healthcheck!.test[1]).toMatch(/REDISCLI_AUTH="\$REDIS_PASSWORD" redis-cli ping/);
      expect(compose.services.api!.depends_on!.redis!.condition).toBe('service_healthy');
    });

    it('asks for the password the api is given, taken from the environment, not the command line it shows', () => {
      const compose = stack();
      const command = serverArguments(compose);
      expect(command[command.indexOf('--requirepass') + 1]).toBe('"$REDIS_PASSWORD"');
      expect(compose.services.redis!.environment!.REDIS_PASSWORD).toBe(
        compose.services.api!.environment!.REDIS_PASSWORD,
      );
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
      // The secrets are left for the operator to fill in: the file says how.
      const compose = loadCompose({ ...example, REDIS_PASSWORD: 'x', TRUSTED_PROXY_SECRET: 'y' });
      expect(compose.services.api!.environment!.ALLOWED_ORIGINS).toBe(
        `https://${example.APP_HOST}`,
      );
    });
  });
});
