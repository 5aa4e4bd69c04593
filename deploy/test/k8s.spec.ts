import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_PREFIX,
  DEFAULT_API_PORT,
  DEFAULT_WEB_PORT,
  GATEWAY_PATH,
  PUBLIC_GATEWAY_PATH,
} from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { K8S_DIRECTORY } from './support/paths';
import {
  effectivePriority,
  forwardedPath,
  pickRouter,
  type TraefikRouter,
} from './support/traefik';

// Manifests are checked field by field, so their bodies stay untyped.
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: any;
  data?: any;
};

const files = readdirSync(K8S_DIRECTORY).filter((file) => /\.ya?ml$/.test(file));
const manifests: Manifest[] = files
  .filter((file) => file !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S_DIRECTORY, file), 'utf8')).map((document) => {
      if (document.errors.length) throw new Error(`${file}: ${document.errors[0]!.message}`);
      return document.toJS() as Manifest;
    }),
  );

function get(kind: string, name: string): Manifest {
  const found = manifests.find((item) => item.kind === kind && item.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
}

const HOST = 'chat.example.com';
const configMap = get('ConfigMap', 'chat-api-config');
const ingressRoute = get('IngressRoute', 'chat');

/** The IngressRoute's routes as Traefik routers, middlewares resolved from the Middleware CRDs. */
function routers(): TraefikRouter[] {
  return ingressRoute.spec.routes.map((route: any, index: number) => ({
    name: `route-${index}`,
    rule: route.match,
    priority: route.priority,
    entryPoints: ingressRoute.spec.entryPoints,
    tls: Boolean(ingressRoute.spec.tls),
    service: `${route.services[0].name}:${route.services[0].port}`,
    middlewares: (route.middlewares ?? []).map((middleware: any) => middleware.name),
  }));
}

function middlewares(): Map<string, Record<string, string>> {
  return new Map<string, Record<string, string>>(
    manifests
      .filter((item) => item.kind === 'Middleware')
      .map((item): [string, Record<string, string>] => [
        item.metadata.name,
        item.spec.stripPrefix
          ? { 'stripprefix.prefixes': item.spec.stripPrefix.prefixes.join(',') }
          : {},
      ]),
  );
}

function route(path: string) {
  return pickRouter(routers(), { host: HOST, path, entryPoint: 'websecure' });
}

/** The container port a Service port finally reaches, through targetPort names. */
function containerPortBehind(serviceName: string, servicePort: number): number {
  const service = get('Service', serviceName);
  const port = service.spec.ports.find((candidate: any) => candidate.port === servicePort);
  expect(port, `${serviceName} has no port ${servicePort}`).toBeDefined();
  const deployment = manifests.find(
    (item) =>
      (item.kind === 'Deployment' || item.kind === 'StatefulSet') &&
      Object.entries(service.spec.selector).every(
        ([key, value]) => item.spec.template.metadata.labels[key] === value,
      ),
  );
  expect(deployment, `no workload behind ${serviceName}`).toBeDefined();
  const containerPorts = deployment!.spec.template.spec.containers[0].ports;
  const target =
    typeof port.targetPort === 'string'
      ? containerPorts.find((candidate: any) => candidate.name === port.targetPort)
      : containerPorts.find((candidate: any) => candidate.containerPort === port.targetPort);
  return target.containerPort;
}

function container(name: string) {
  return get('Deployment', name).spec.template.spec.containers[0];
}

describe('deploy/k8s', () => {
  describe('IngressRoute and Middleware', () => {
    it('sends /api/ws/chat to chat-api with /api stripped down to the gateway path', () => {
      const webSocket = route(PUBLIC_GATEWAY_PATH)!;
      expect(webSocket.service).toBe(`chat-api:${DEFAULT_API_PORT}`);
      expect(forwardedPath(webSocket, middlewares(), PUBLIC_GATEWAY_PATH)).toBe(GATEWAY_PATH);
      expect(containerPortBehind('chat-api', DEFAULT_API_PORT)).toBe(DEFAULT_API_PORT);
    });

    it.each(['/', '/api/bookings', '/api/health', '/threads'])('sends %s to chat-web', (path) => {
      expect(route(path)!.service).toBe(`chat-web:${DEFAULT_WEB_PORT}`);
      expect(containerPortBehind('chat-web', DEFAULT_WEB_PORT)).toBe(DEFAULT_WEB_PORT);
    });

    it('ranks the WebSocket route above the catch-all by an explicit priority', () => {
      const [webSocket, catchAll] = [route(PUBLIC_GATEWAY_PATH)!, route('/')!];
      expect(webSocket.priority).toBeDefined();
      expect(effectivePriority(webSocket)).toBeGreaterThan(effectivePriority(catchAll));
    });

    it('serves only HTTPS, and tells browsers so (HSTS) on every route', () => {
      expect(ingressRoute.spec.entryPoints).toEqual(['websecure']);
      expect(ingressRoute.spec.tls).toBeTruthy();
      for (const item of ingressRoute.spec.routes) {
        const headers = (item.middlewares ?? [])
          .map((middleware: any) => get('Middleware', middleware.name).spec.headers)
          .find(Boolean);
        expect(headers?.stsSeconds, item.match).toBeGreaterThanOrEqual(31_536_000);
      }
    });
  });

  describe('api Deployment', () => {
    const api = container('chat-api');
    const pod = get('Deployment', 'chat-api').spec.template.spec;

    it('runs at least two replicas and never drops below the desired count in a rollout', () => {
      const deployment = get('Deployment', 'chat-api');
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });

    it('probes readiness on /api/health/ready and liveness on /api/health', () => {
      expect(api.readinessProbe.httpGet.path).toBe(`/${API_PREFIX}/health/ready`);
      expect(api.livenessProbe.httpGet.path).toBe(`/${API_PREFIX}/health`);
      const portOf = (probe: any) =>
        typeof probe.httpGet.port === 'number'
          ? probe.httpGet.port
          : api.ports.find((port: any) => port.name === probe.httpGet.port).containerPort;
      expect(portOf(api.readinessProbe)).toBe(DEFAULT_API_PORT);
      expect(portOf(api.livenessProbe)).toBe(DEFAULT_API_PORT);
      expect(configMap.data.PORT).toBe(String(DEFAULT_API_PORT));
    });

    it('gives the pod more time to terminate than preStop and the drain take together', () => {
      const preStopSeconds = Number(api.lifecycle.preStop.exec.command[1]);
      const drainSeconds = Number(configMap.data.SHUTDOWN_GRACE_MS) / 1000;
      expect(preStopSeconds).toBeGreaterThan(0);
      expect(drainSeconds).toBeGreaterThanOrEqual(10);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        preStopSeconds + drainSeconds + 5,
      );
    });

    it('runs in production on Redis with its password from the Secret, as a non-root user', () => {
      expect(configMap.data.NODE_ENV).toBe('production');
      expect(configMap.data.REDIS_HOST).toBe('chat-redis');
      expect(configMap.data.REDIS_URL).toBeUndefined();
      const password = api.env.find((entry: any) => entry.name === 'REDIS_PASSWORD');
      expect(password.valueFrom.secretKeyRef).toEqual({
        name: 'chat-secrets',
        key: 'REDIS_PASSWORD',
      });
      expect(configMap.data.ALLOWED_ORIGINS).toBe(`https://${HOST}`);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      // runAsNonRoot can only be verified against a numeric user; the image says `USER node`.
      expect(pod.securityContext.runAsUser).toBe(1000);
    });
  });

  describe('web Deployment', () => {
    const web = container('chat-web');
    const environment = Object.fromEntries(web.env.map((entry: any) => [entry.name, entry.value]));

    it('probes / on the web port and listens on every interface', () => {
      for (const probe of [web.readinessProbe, web.livenessProbe]) {
        expect(probe.httpGet.path).toBe('/');
        expect(containerPortBehind('chat-web', DEFAULT_WEB_PORT)).toBe(DEFAULT_WEB_PORT);
      }
      expect(environment.PORT).toBe(String(DEFAULT_WEB_PORT));
      expect(environment.HOSTNAME).toBe('0.0.0.0');
    });

    it('reaches the API through the chat-api Service at runtime', () => {
      const url = new URL(environment.API_INTERNAL_URL);
      expect(url.hostname).toBe('chat-api');
      expect(containerPortBehind('chat-api', Number(url.port))).toBe(DEFAULT_API_PORT);
    });
  });

  describe('redis', () => {
    it('asks for the password the api is given, and probes with it', () => {
      const redisContainer = get('StatefulSet', 'chat-redis').spec.template.spec.containers[0];
      const { args } = redisContainer;
      expect(args[args.indexOf('--requirepass') + 1]).toBe('$(REDIS_PASSWORD)');
      const password = redisContainer.env.find((entry: any) => entry.name === 'REDIS_PASSWORD');
      const apiPassword = container('chat-api').env.find(
        (entry: any) => entry.name === 'REDIS_PASSWORD',
      );
      expect(password.valueFrom).toEqual(apiPassword.valueFrom);
      for (const probe of [redisContainer.readinessProbe, redisContainer.livenessProbe]) {
        expect(probe.exec.command.join(' ')).toMatch(
          /REDISCLI_AUTH="\$REDIS_PASSWORD" redis-cli ping/,
        );
      }
    });

    it('keeps the append-only file on a persistent volume mounted at /data', () => {
      const redis = get('StatefulSet', 'chat-redis');
      const redisContainer = redis.spec.template.spec.containers[0];
      expect(redisContainer.args[redisContainer.args.indexOf('--appendonly') + 1]).toBe('yes');
      expect(redisContainer.args[redisContainer.args.indexOf('--appendfsync') + 1]).toBe('always');
      const mount = redisContainer.volumeMounts.find((item: any) => item.mountPath === '/data');
      expect(redis.spec.volumeClaimTemplates.map((claim: any) => claim.metadata.name)).toContain(
        mount.name,
      );
    });
  });

  describe('network policies', () => {
    const podLabels = {
      api: { 'app.kubernetes.io/name': 'chat-api' },
      web: { 'app.kubernetes.io/name': 'chat-web' },
      redis: { 'app.kubernetes.io/name': 'chat-redis' },
      traefik: { 'app.kubernetes.io/name': 'traefik' },
      prometheus: { 'app.kubernetes.io/name': 'prometheus' },
      stranger: { 'app.kubernetes.io/name': 'another-project' },
    } as const;
    const policies = manifests.filter((item) => item.kind === 'NetworkPolicy');
    const matches = (selector: any, labels: Record<string, string>) =>
      Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);

    /** Whether a pod with `from` labels may connect to `port` of a pod with `to` labels. */
    function allowed(from: Record<string, string>, to: Record<string, string>, port: number) {
      const applying = policies.filter((policy) => matches(policy.spec.podSelector, to));
      if (!applying.length) return true;
      return applying.some((policy) =>
        (policy.spec.ingress ?? []).some(
          (rule: any) =>
            rule.ports.some((candidate: any) => candidate.port === port) &&
            rule.from.some((peer: any) => matches(peer.podSelector, from)),
        ),
      );
    }

    it('let only the api reach Redis, and only Prometheus the metrics port', () => {
      const everyone = Object.entries(podLabels);
      const reaching = (to: Record<string, string>, port: number) =>
        everyone.filter(([, labels]) => allowed(labels, to, port)).map(([name]) => name);
      expect(reaching(podLabels.redis, 6379)).toEqual(['api']);
      expect(reaching(podLabels.api, 9464)).toEqual(['prometheus']);
      // Only the two proxies may hand the api an X-Forwarded-For (TRUSTED_PROXIES).
      expect(reaching(podLabels.api, DEFAULT_API_PORT)).toEqual(['web', 'traefik']);
      expect(reaching(podLabels.web, DEFAULT_WEB_PORT)).toEqual(['traefik']);
      const metricsPort = container('chat-api').ports.find((port: any) => port.name === 'metrics');
      expect(metricsPort.containerPort).toBe(Number(configMap.data.METRICS_PORT));
      expect(configMap.data.TRUSTED_PROXIES).toBe('uniquelocal');
    });

    it('cover every pod of the stack', () => {
      for (const workload of manifests.filter((item) =>
        ['Deployment', 'StatefulSet'].includes(item.kind),
      )) {
        const labels = workload.spec.template.metadata.labels;
        expect(
          policies.some((policy) => matches(policy.spec.podSelector, labels)),
          workload.metadata.name,
        ).toBe(true);
      }
    });
  });

  it('lists every manifest in kustomization.yaml', () => {
    const kustomization = parse(readFileSync(join(K8S_DIRECTORY, 'kustomization.yaml'), 'utf8'));
    expect([...kustomization.resources].sort()).toEqual(
      files.filter((file) => file !== 'kustomization.yaml').sort(),
    );
  });
});
