import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '@chat/api/dist/config/app-config';
import { K8S_DIRECTORY, REPO_ROOT } from './support/paths';

// Manifests and chart values are checked field by field, so their bodies stay untyped.

interface Overlay {
  resources: string[];
  patches: Array<{ target: { kind: string; name: string }; patch: string }>;
}

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const overlay = (name: string) => parse(read(`deploy/${name}/kustomization.yaml`)) as Overlay;
const values = (name: string) => parse(read(`deploy/${name}/values.yaml`)) as any;
const baseConfigMap = parseAllDocuments(readFileSync(join(K8S_DIRECTORY, 'config.yaml'), 'utf8'))
  .map((document) => document.toJS() as any)
  .find((manifest) => manifest.kind === 'ConfigMap');

/** The overlay's JSON patch operations on one target. */
function operations(name: string, kind: string): Array<{ op: string; path: string; value?: any }> {
  const patch = overlay(name).patches.find((candidate) => candidate.target.kind === kind);
  return patch ? (parse(patch.patch) as Array<{ op: string; path: string; value?: any }>) : [];
}

/** The api container of the base, whose environment the overlays extend. */
const baseApi = parseAllDocuments(readFileSync(join(K8S_DIRECTORY, 'api.yaml'), 'utf8'))
  .map((document) => document.toJS() as any)
  .find((manifest) => manifest.kind === 'Deployment').spec.template.spec.containers[0];

/** The api's environment once the overlay is applied: its ConfigMap, then its secrets. */
function apiEnvironment(name: string): { environment: Record<string, string>; secrets: any[] } {
  const data: Record<string, string> = { ...baseConfigMap.data };
  for (const operation of operations(name, 'ConfigMap')) {
    const key = operation.path.replace('/data/', '');
    if (operation.op === 'remove') {
      expect(data, operation.path).toHaveProperty(key);
      delete data[key];
    } else data[key] = String(operation.value);
  }
  const added = operations(name, 'Deployment')
    .filter((operation) => operation.path.endsWith('/env/-'))
    .map((operation) => operation.value);
  const secrets = [...baseApi.env, ...added].filter(
    (variable: any) => variable.name.startsWith('REDIS_') && variable.valueFrom?.secretKeyRef,
  );
  for (const secret of secrets) data[secret.name] = 'from-the-secret-0123456789';
  return { environment: data, secrets };
}

/** The labels the overlay gives the api's pods. */
function podLabels(name: string): Record<string, string> {
  return Object.fromEntries(
    operations(name, 'Deployment')
      .filter((operation) => operation.path.startsWith('/spec/template/metadata/labels/'))
      .map((operation) => [operation.path.split('/').at(-1)!, String(operation.value)]),
  );
}

/** What each overlay leaves out of the base: its single Redis. */
function deleted(name: string): string[] {
  return overlay(name)
    .patches.filter((patch) => patch.patch.includes('$patch: delete'))
    .map((patch) => `${patch.target.kind}/${patch.target.name}`);
}

describe('Kubernetes with Redis behind Sentinel (deploy/k8s-sentinel)', () => {
  const chart = values('k8s-sentinel');

  it('replaces the base single Redis with the chart and points the api at its sentinels', () => {
    expect(overlay('k8s-sentinel').resources).toEqual(['../k8s']);
    expect(deleted('k8s-sentinel')).toEqual([
      'StatefulSet/chat-redis',
      'Service/chat-redis',
      'NetworkPolicy/chat-redis',
    ]);
    const { environment } = apiEnvironment('k8s-sentinel');
    const config = loadConfig(environment);
    expect(config.redis?.mode).toBe('sentinel');
    if (config.redis?.mode !== 'sentinel') return;
    expect(config.redis.masterName).toBe(chart.sentinel.masterSet);
    // The chart's pods, by their stable names on the headless service (one per Redis node).
    const release = /helm install (\S+) /.exec(read('deploy/k8s-sentinel/values.yaml'))![1];
    expect(config.redis.sentinels).toEqual(
      Array.from({ length: chart.replica.replicaCount }, (_, index) => ({
        host: `${release}-node-${index}.${release}-headless`,
        port: 26379,
      })),
    );
    expect(config.redis.password).toBeDefined();
    expect(config.redis.sentinelPassword).toBeDefined();
  });

  it('lets only the api reach Redis, as the base does', () => {
    const release = /helm install (\S+) /.exec(read('deploy/k8s-sentinel/values.yaml'))![1];
    expect(chart.networkPolicy).toEqual({ enabled: true, allowExternal: false });
    expect(podLabels('k8s-sentinel')).toEqual({ [`${release}-client`]: 'true' });
  });

  it('asks for passwords the api is given, keeps the journal, and can acknowledge after a failover', () => {
    const { secrets } = apiEnvironment('k8s-sentinel');
    expect(secrets.map((secret) => secret.name).sort()).toEqual([
      'REDIS_PASSWORD',
      'REDIS_SENTINEL_PASSWORD',
    ]);
    expect(chart.auth).toMatchObject({ enabled: true, sentinel: true });
    for (const secret of secrets) {
      expect(secret.valueFrom.secretKeyRef).toEqual({
        name: chart.auth.existingSecret,
        key: chart.auth.existingSecretPasswordKey,
      });
    }
    expect(chart.commonConfiguration).toMatch(/^appendfsync always$/m);
    expect(chart.commonConfiguration).toMatch(/^appendonly yes$/m);
    expect(chart.sentinel.quorum).toBe(Math.floor(chart.replica.replicaCount / 2) + 1);
    const { replicaAck } = loadConfig(apiEnvironment('k8s-sentinel').environment);
    // A master and its replicas; one promoted, the rest still acknowledge.
    expect(chart.replica.replicaCount - 1).toBeGreaterThanOrEqual(replicaAck.replicas + 1);
  });
});

describe('Kubernetes on a Redis Cluster (deploy/k8s-cluster)', () => {
  const chart = values('k8s-cluster');

  it('replaces the base single Redis with the chart and gives the api some of its nodes', () => {
    expect(overlay('k8s-cluster').resources).toEqual(['../k8s']);
    expect(deleted('k8s-cluster')).toEqual([
      'StatefulSet/chat-redis',
      'Service/chat-redis',
      'NetworkPolicy/chat-redis',
    ]);
    const config = loadConfig(apiEnvironment('k8s-cluster').environment);
    expect(config.redis?.mode).toBe('cluster');
    if (config.redis?.mode !== 'cluster') return;
    const release = /helm install (\S+) /.exec(read('deploy/k8s-cluster/values.yaml'))![1];
    for (const node of config.redis.nodes) {
      expect(node.host).toMatch(new RegExp(`^${release}-(\\d+)\\.${release}-headless$`));
      expect(Number(/-(\d+)\./.exec(node.host)![1])).toBeLessThan(chart.cluster.nodes);
      expect(node.port).toBe(6379);
    }
    expect(config.redis.password).toBeDefined();
  });

  it('lets only the api reach Redis, as the base does', () => {
    const release = /helm install (\S+) /.exec(read('deploy/k8s-cluster/values.yaml'))![1];
    expect(chart.networkPolicy).toEqual({ enabled: true, allowExternal: false });
    expect(podLabels('k8s-cluster')).toEqual({ [`${release}-client`]: 'true' });
  });

  it('asks for the password the api is given, keeps the journal, and can acknowledge after a failover', () => {
    const { secrets, environment } = apiEnvironment('k8s-cluster');
    expect(chart.usePassword).toBe(true);
    expect(secrets.map((secret) => secret.valueFrom.secretKeyRef)).toEqual([
      { name: chart.existingSecret, key: chart.existingSecretPasswordKey },
    ]);
    expect(chart.redis.configmap).toMatch(/^appendfsync always$/m);
    const { replicaAck } = loadConfig(environment);
    expect(chart.cluster.nodes % (chart.cluster.replicas + 1)).toBe(0);
    expect(chart.cluster.nodes / (chart.cluster.replicas + 1)).toBeGreaterThanOrEqual(3);
    expect(chart.cluster.replicas).toBeGreaterThanOrEqual(replicaAck.replicas + 1);
  });
});
