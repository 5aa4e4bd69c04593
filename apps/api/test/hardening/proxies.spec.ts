import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, redisEnvironment, spawnApi } from '../support/api-process';
import { RedisServer } from '../support/redis-server';
import { record } from './support/results';

const EDGE = '127.0.0.2';
const NEIGHBOUR = '127.0.0.3';
const GUESSING_NEIGHBOUR = '127.0.0.4';
const SECRET = 'edge-secret-for-the-hardening-suite';

/** An HTTP request sent from `localAddress` (every 127/8 address is this machine's). */
function requestFrom(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; text: string }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method ?? 'GET',
        localAddress,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const statusesOf = (responses: { status: number }[]) =>
  responses.reduce<Record<string, number>>((counts, { status }) => {
    counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }, {});
const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, value]) => `${key} × ${value}`)
    .join(', ');

describe('whose X-Forwarded-For counts, and who reaches the metrics', () => {
  let redis: RedisServer;
  let api: ApiProcess;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // As on a shared Docker network: the edge at one address, proving itself with the secret;
    // a neighbour at another. Login limits at their defaults (10 a minute per address).
    api = await spawnApi(
      redisEnvironment(redis.url, { TRUSTED_PROXIES: EDGE, TRUSTED_PROXY_SECRET: SECRET }),
    );
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') console.error(`API output:\n${api?.output()}`);
  });
  afterAll(async () => {
    await api?.stop();
    await redis?.dispose();
  });

  it('counts a neighbour by its own address whatever it claims, and believes only the edge with its secret', async () => {
    const login = (from: string, index: number, headers: Record<string, string>) =>
      requestFrom(from, `${api.baseUrl}/api/auth/login`, {
        method: 'POST',
        // Another account every time: only the per-address limit is at work here.
        body: { email: `nobody-${from}-${index}@demo.test`, password: 'guess-guess' },
        headers,
      });
    const ATTEMPTS = 50;
    const claims = (index: number) => ({ 'x-forwarded-for': `198.51.100.${index + 1}` });
    const neighbour: { status: number }[] = [];
    for (let index = 0; index < ATTEMPTS; index++) {
      neighbour.push(await login(NEIGHBOUR, index, claims(index)));
    }
    const guessing: { status: number }[] = [];
    for (let index = 0; index < ATTEMPTS; index++) {
      guessing.push(
        await login(GUESSING_NEIGHBOUR, index, {
          ...claims(index),
          'x-trusted-proxy-secret': `guess-${index}-of-the-edge-secret`,
        }),
      );
    }
    const edge: { status: number }[] = [];
    for (let index = 0; index < ATTEMPTS; index++) {
      edge.push(await login(EDGE, index, { ...claims(index), 'x-trusted-proxy-secret': SECRET }));
    }
    const edgeWithoutSecret: { status: number }[] = [];
    for (let index = 0; index < 20; index++) {
      edgeWithoutSecret.push(await login(EDGE, 100 + index, claims(100 + index)));
    }

    // The metrics: not on the API's port, and their listener only on the address it was given.
    const metricsOnApiPort = await requestFrom(NEIGHBOUR, `${api.baseUrl}/api/metrics`);
    const metricsPort = new URL(api.metricsUrl).port;
    const metricsFromNeighbour = await requestFrom(
      NEIGHBOUR,
      `http://${NEIGHBOUR}:${metricsPort}/metrics`,
    ).then(
      ({ status }) => String(status),
      (error: NodeJS.ErrnoException) => error.code ?? 'error',
    );
    const metricsOnItsAddress = await requestFrom('127.0.0.1', api.metricsUrl);

    const [neighbourStatuses, guessingStatuses, edgeStatuses, bareEdgeStatuses] = [
      neighbour,
      guessing,
      edge,
      edgeWithoutSecret,
    ].map(statusesOf) as [
      Record<string, number>,
      Record<string, number>,
      Record<string, number>,
      Record<string, number>,
    ];
    record('forwarded-for', {
      tried: `an API trusting the edge at ${EDGE} (TRUSTED_PROXIES) with its secret (TRUSTED_PROXY_SECRET); a neighbour at ${NEIGHBOUR} sends logins claiming a new X-Forwarded-For address each time, another at ${GUESSING_NEIGHBOUR} also guesses the secret; the edge sends the same with the secret, and without it; then the neighbour asks for /api/metrics on the API port and on the metrics port at its own address`,
      amount: `${ATTEMPTS} logins × 3 senders, 20 from the edge without its secret; LOGIN_RATE_PER_IP=10 per minute (the default)`,
      result: `neighbour: ${describeCounts(neighbourStatuses)} (counted as ${NEIGHBOUR}); guessing the secret: ${describeCounts(guessingStatuses)}; the edge with its secret: ${describeCounts(edgeStatuses)} (each claimed address its own budget); the edge without it: ${describeCounts(bareEdgeStatuses)}; /api/metrics on the API port ${metricsOnApiPort.status}; the metrics port at the neighbour's address: ${metricsFromNeighbour}; at the listener's own address (loopback): ${metricsOnItsAddress.status}`,
      figures: {
        attempts: ATTEMPTS,
        neighbourRefused: neighbourStatuses['429'] ?? 0,
        guessingRefused: guessingStatuses['429'] ?? 0,
        edgeRefused: edgeStatuses['429'] ?? 0,
        bareEdgeRefused: bareEdgeStatuses['429'] ?? 0,
        metricsOnApiPort: metricsOnApiPort.status,
        metricsFromNeighbour,
      },
    });
    expect(neighbourStatuses).toEqual({ 401: 10, 429: 40 });
    expect(guessingStatuses).toEqual({ 401: 10, 429: 40 });
    expect(edgeStatuses).toEqual({ 401: 50 });
    expect(bareEdgeStatuses).toEqual({ 401: 10, 429: 10 });
    expect(metricsOnApiPort.status).toBe(404);
    expect(metricsFromNeighbour).toBe('ECONNREFUSED');
    expect(metricsOnItsAddress.status).toBe(200);
    expect(metricsOnItsAddress.text).toMatch(
      /chat_auth_login_attempts_total\{outcome="limited_address"\} 90/,
    );
  });
});
