import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, redisEnvironment, spawnApi } from '../support/api-process';
import { BK_1001_THREAD, DEMO, HttpClient } from '../support/http-client';
import { metric, signIn } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { wsUrl } from '../support/ws-client';
import {
  auditLog,
  Fleet,
  LOAD_ENVIRONMENT,
  readiness,
  readLog,
  timeUntil,
  Writer,
} from './support/load';
import { fixed, median, record } from './support/results';
import { StallProxy } from './support/stall-proxy';

const STALL_MS = 8_000;

/**
 * Redis that stops answering without going away: instance A reaches Redis through a proxy that
 * freezes every connection (and, once "healed", keeps the old ones frozen: half-open sockets);
 * instance B reaches Redis directly and carries on.
 */
describe('Redis unreachable without dying (a stalling TCP proxy)', () => {
  let redis: RedisServer;
  let proxy: StallProxy;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    redis = await RedisServer.start();
    proxy = await StallProxy.start(redis.port, redis.password);
    [a, b] = await Promise.all([
      spawnApi(redisEnvironment(proxy.url, LOAD_ENVIRONMENT)),
      spawnApi(redisEnvironment(redis.url, LOAD_ENVIRONMENT)),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await proxy?.close();
    await redis?.dispose();
  });

  it('notices within seconds, fails fast instead of hanging, and recovers on its own without losing a message', async () => {
    const grace = await signIn(b, DEMO.grace);
    const alice = await signIn(b, DEMO.alice);
    const onA = new Fleet(grace.cookie, [wsUrl(a.baseUrl)]);
    const onB = new Fleet(grace.cookie, [wsUrl(b.baseUrl)]);
    onA.open(10, [BK_1001_THREAD]);
    onB.open(10, [BK_1001_THREAD]);
    const writer = new Writer(alice.cookie, [b.baseUrl], BK_1001_THREAD, 10, 'stall');
    try {
      await timeUntil(
        () => onA.subscribed() === 10 && onB.subscribed() === 10,
        15_000,
        'both fleets',
      );
      writer.start();
      await timeUntil(() => writer.acknowledged.length >= 10, 10_000, 'the first messages');

      proxy.stall();
      const stalledAt = Date.now();
      const noticedMs = await timeUntil(
        async () => (await readiness(a.baseUrl)) === 503,
        10_000,
        'A readiness 503',
      );
      // Requests on A while Redis is frozen: each must be answered, not hang.
      const aliceOnA = new HttpClient(a.baseUrl);
      aliceOnA.sessionCookie = alice.cookie;
      const outageRequests: Array<{ status: number; ms: number; afterMs: number }> = [];
      let sequence = 0;
      while (Date.now() - stalledAt < STALL_MS) {
        const startedAt = Date.now();
        sequence++;
        const response = await aliceOnA.post(`/api/chat/conversations/${BK_1001_THREAD}/messages`, {
          body: `during stall ${sequence}`,
          clientMessageId: `stall-on-a-${sequence}`,
        });
        outageRequests.push({
          status: response.status,
          ms: Date.now() - startedAt,
          afterMs: startedAt - stalledAt,
        });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const bReadyDuringStall = await readiness(b.baseUrl);
      const errorsOnA = await metric(a, 'chat_redis_errors_total{connection="command"}');
      const subscriberErrorsOnA = await metric(
        a,
        'chat_redis_errors_total{connection="subscriber"}',
      );
      const connectedGauge = await metric(a, 'chat_redis_connected{connection="command"}');

      proxy.heal();
      const healedAt = Date.now();
      const readyAgainMs = await timeUntil(
        async () => (await readiness(a.baseUrl)) === 200,
        20_000,
        'A ready again',
      );
      const lastAcked = () => Math.max(0, ...writer.acknowledged.map((posted) => posted.seq!));
      const target = new Map([[BK_1001_THREAD, lastAcked()]]);
      await timeUntil(() => onA.caughtUp(target) === 10, 30_000, 'A sockets caught up');
      const fanoutBackMs = Date.now() - healedAt;
      await writer.stop();
      await writer.settle();
      const final = new Map([[BK_1001_THREAD, lastAcked()]]);
      await timeUntil(
        () => onA.caughtUp(final) === 10 && onB.caughtUp(final) === 10,
        20_000,
        'every socket complete',
      );
      const log = await readLog(b.baseUrl, alice.cookie, BK_1001_THREAD);
      const stored = auditLog(log, writer.acknowledged, 'stall');
      const fleetAudit = [onA.audit(final), onB.audit(final)];
      const closesOnA = onA.clients.reduce((sum, client) => sum + client.closeCodes.length, 0);

      const failFast = outageRequests.filter((request) => request.afterMs > noticedMs + 2_000);
      record('redis-stall', {
        tried: `A reaches Redis through a TCP proxy that freezes every connection for ${STALL_MS / 1000} s without closing any, then forwards new connections but leaves the old ones frozen (half-open); B reaches Redis directly; posts go on through B, and through A during the stall`,
        amount: `10 sockets on each instance, 10 messages/s; ${outageRequests.length} posts on A during the stall`,
        result: `A readiness 503 after ${fixed(noticedMs / 1000)} s (B stayed ${bReadyDuringStall}); posts on A answered ${[...new Set(outageRequests.map((request) => request.status))].join('/')} in at most ${Math.max(...outageRequests.map((request) => request.ms))} ms (median ${fixed(median(outageRequests.map((request) => request.ms)), 0)} ms; ${failFast.length ? `${Math.max(...failFast.map((request) => request.ms))} ms once noticed` : 'n/a'}); A's Redis errors counted ${errorsOnA} (command) and ${subscriberErrorsOnA} (subscriber), connected gauge ${connectedGauge}; after the heal A was ready in ${fixed(readyAgainMs / 1000)} s and its sockets had every message in ${fixed(fanoutBackMs / 1000)} s; lost ${stored.lost + fleetAudit[0]!.lost + fleetAudit[1]!.lost}, duplicated ${stored.duplicated + fleetAudit[0]!.duplicated + fleetAudit[1]!.duplicated}; A's sockets closed ${closesOnA} times`,
        figures: {
          noticedMs,
          maxRequestMs: Math.max(...outageRequests.map((request) => request.ms)),
          failFastMaxMs: failFast.length
            ? Math.max(...failFast.map((request) => request.ms))
            : null,
          readyAgainMs,
          fanoutBackMs,
          lost: stored.lost + fleetAudit[0]!.lost + fleetAudit[1]!.lost,
          duplicated: stored.duplicated + fleetAudit[0]!.duplicated + fleetAudit[1]!.duplicated,
          stalledConnectionsLeft: proxy.stalledConnections,
        },
      });
      expect(noticedMs).toBeLessThanOrEqual(3_000);
      expect(outageRequests.every((request) => request.status === 503)).toBe(true);
      expect(Math.max(...outageRequests.map((request) => request.ms))).toBeLessThanOrEqual(6_000);
      expect(failFast.every((request) => request.ms <= 500)).toBe(true);
      expect(bReadyDuringStall).toBe(200);
      expect(errorsOnA).toBeGreaterThan(0);
      expect(readyAgainMs).toBeLessThanOrEqual(10_000);
      expect(fanoutBackMs).toBeLessThanOrEqual(10_000);
      expect(stored).toMatchObject({ lost: 0, duplicated: 0, gapless: true });
      for (const audit of fleetAudit)
        expect(audit).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
    } finally {
      await writer.stop();
      onA.close();
      onB.close();
    }
  });
});
