import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, redisEnvironment, spawnApi } from '../support/api-process';
import { BK_1001_THREAD, BK_2001_THREAD, DEMO } from '../support/http-client';
import { signIn } from '../support/realtime';
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
import { PROFILE } from './support/profile';
import { fixed, record } from './support/results';

const CONVERSATIONS = [BK_1001_THREAD, BK_2001_THREAD];

/** redis-server (AOF, fsync always) killed with SIGKILL under load, started again 5 s later. */
describe('kill -9 of redis-server under load', () => {
  let redis: RedisServer;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const environment = redisEnvironment(redis.url, LOAD_ENVIRONMENT);
    [a, b] = await Promise.all([spawnApi(environment), spawnApi(environment)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await redis?.dispose();
  });

  it('answers 503 while Redis is down, is back within 10 s of its return, and loses nothing acknowledged', async () => {
    const [grace, alice, bob] = await Promise.all(
      [DEMO.grace, DEMO.alice, DEMO.bob].map((email) => signIn(a, email)),
    );
    const endpoints = [wsUrl(a.baseUrl), wsUrl(b.baseUrl)];
    const fleet = new Fleet(grace!.cookie, endpoints);
    const sockets = PROFILE.faultSockets;
    fleet.open(sockets, CONVERSATIONS);
    const bases = [a.baseUrl, b.baseUrl];
    const writers = [
      new Writer(alice!.cookie, bases, BK_1001_THREAD, 10, 'kill-vn'),
      new Writer(bob!.cookie, bases, BK_2001_THREAD, 10, 'kill-th'),
    ];
    const lastSeqs = () =>
      new Map(
        writers.map((writer) => [
          writer.acknowledged[0]?.conversationId ?? '',
          Math.max(0, ...writer.acknowledged.map((posted) => posted.seq!)),
        ]),
      );
    const readinessSamples: Array<{ at: number; a: number; b: number }> = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const [statusA, statusB] = await Promise.all([readiness(a.baseUrl), readiness(b.baseUrl)]);
        readinessSamples.push({ at: Date.now(), a: statusA, b: statusB });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await timeUntil(() => fleet.subscribed() === sockets, 30_000, 'the fleet');
      for (const writer of writers) writer.start();
      await timeUntil(
        () => writers.every((writer) => writer.acknowledged.length >= 20),
        15_000,
        'load',
      );

      const ackedBeforeKill = writers.flatMap((writer) =>
        writer.acknowledged.map((posted) => ({ ...posted })),
      );
      await redis.stop('SIGKILL');
      const killedAt = Date.now();
      const noticedMs = await timeUntil(
        () =>
          readinessSamples.some(
            (sample) => sample.at > killedAt && sample.a === 503 && sample.b === 503,
          ),
        5_000,
        'readiness 503 on both',
      );
      // Some clients lose their network during the outage: they must resume when it is over.
      const dropped = fleet.clients.filter((_, index) => index % 4 === 0);
      for (const client of dropped) fleet.cut(client);
      await new Promise((resolve) =>
        setTimeout(resolve, PROFILE.redisDownSeconds * 1000 - (Date.now() - killedAt)),
      );
      const liveDuringOutage = await Promise.all(
        bases.map((base) => fetch(`${base}/api/health`).then((response) => response.status)),
      );
      const samplesWhileDown = readinessSamples.filter(
        (sample) => sample.at > killedAt + noticedMs && sample.at < Date.now(),
      );

      await redis.start();
      const restartedAt = Date.now();
      const [readyMs, writeMs, resumedMs] = await Promise.all([
        timeUntil(
          async () => (await readiness(a.baseUrl)) === 200 && (await readiness(b.baseUrl)) === 200,
          15_000,
          'readiness 200 on both',
        ),
        timeUntil(
          () =>
            writers.every((writer) =>
              writer.acknowledged.some((posted) => posted.ackedAt! > restartedAt),
            ),
          15_000,
          'a write after the restart',
        ),
        timeUntil(
          () => dropped.every((client) => client.client.state === 'connected'),
          15_000,
          'the cut sockets back',
        ),
      ]);
      // Fanout and subscriptions back: every socket on both instances has every message
      // acknowledged so far, those posted after the restart included.
      const probeSeqs = lastSeqs();
      await timeUntil(
        () => fleet.caughtUp(probeSeqs) === sockets,
        15_000,
        'every socket caught up',
      );
      const fanoutMs = Date.now() - restartedAt;

      for (const writer of writers) await writer.stop();
      for (const writer of writers) await writer.settle();
      const final = lastSeqs();
      await timeUntil(() => fleet.caughtUp(final) === sockets, 20_000, 'every socket complete');
      const audits = await Promise.all(
        writers.map(async (writer, index) => {
          const log = await readLog(a.baseUrl, grace!.cookie, CONVERSATIONS[index]!);
          return auditLog(log, writer.acknowledged, index === 0 ? 'kill-vn' : 'kill-th');
        }),
      );
      const fleetAudit = fleet.audit(final);
      // AOF: everything acknowledged before the kill is in the log, at its seq, after the restart.
      const logs = await Promise.all(
        CONVERSATIONS.map((id) => readLog(b.baseUrl, grace!.cookie, id)),
      );
      const missingAfterRestart = ackedBeforeKill.filter((posted) => {
        const log = logs[CONVERSATIONS.indexOf(posted.conversationId)]!;
        return log[posted.seq! - 1]?.body !== posted.body;
      }).length;
      const acknowledged = writers.reduce((sum, writer) => sum + writer.acknowledged.length, 0);
      const failedDuringOutage = writers.reduce(
        (sum, writer) =>
          sum +
          [...writer.statuses]
            .filter(([status]) => status >= 500)
            .reduce((total, [, count]) => total + count, 0),
        0,
      );
      const statuses = new Set(writers.flatMap((writer) => [...writer.statuses.keys()]));
      const lost = audits.reduce((sum, audit) => sum + audit.lost, 0) + fleetAudit.lost;
      const duplicated =
        audits.reduce((sum, audit) => sum + audit.duplicated, 0) + fleetAudit.duplicated;

      record('redis-kill', {
        tried: `SIGKILL of redis-server while 2 writers post 10 messages/s each over both instances and ${sockets} sockets (realtime-client, spread over both) follow both threads; a quarter of the sockets are cut during the outage; redis-server started again after ${PROFILE.redisDownSeconds} s`,
        amount: `${acknowledged} messages acknowledged, ${failedDuringOutage} posts refused during the outage and retried with the same clientMessageId`,
        result: `readiness 503 on both ${fixed(noticedMs / 1000)} s after the kill and for all ${samplesWhileDown.length} probes while down (liveness ${[...new Set(liveDuringOutage)].join('/')}); no crash; posts answered ${[...statuses].sort().join('/')}; after the restart: ready in ${fixed(readyMs / 1000)} s, first write in ${fixed(writeMs / 1000)} s, every socket (on both instances) caught up in ${fixed(fanoutMs / 1000)} s, the cut sockets resumed in ${fixed(resumedMs / 1000)} s; lost ${lost}, duplicated ${duplicated}, out of order ${fleetAudit.outOfOrder}`,
        figures: {
          sockets,
          acknowledged,
          refusedDuringOutage: failedDuringOutage,
          noticedMs,
          readyMs,
          fanoutMs,
          resumedMs,
          lost,
          duplicated,
        },
      });
      record('redis-aof', {
        tried:
          'the same kill -9: redis-server runs with appendonly yes and appendfsync always (as the compose file and the Kubernetes manifest ship it), so a write is acknowledged only once it is on disk',
        amount: `${ackedBeforeKill.length} messages acknowledged before the kill, checked at their seq after the restart`,
        result: `${ackedBeforeKill.length - missingAfterRestart} of ${ackedBeforeKill.length} found with their body at their seq; every seq after them gapless`,
        figures: { ackedBeforeKill: ackedBeforeKill.length, missingAfterRestart },
      });
      expect(noticedMs).toBeLessThanOrEqual(3_000);
      expect(samplesWhileDown.every((sample) => sample.a === 503 && sample.b === 503)).toBe(true);
      expect(liveDuringOutage).toEqual([200, 200]);
      expect(a.child.exitCode).toBeNull();
      expect(b.child.exitCode).toBeNull();
      expect([...statuses].filter((status) => status >= 500 && status !== 503)).toEqual([]);
      expect(readyMs).toBeLessThanOrEqual(10_000);
      expect(fanoutMs).toBeLessThanOrEqual(10_000);
      expect(resumedMs).toBeLessThanOrEqual(10_000);
      expect(missingAfterRestart).toBe(0);
      for (const audit of audits)
        expect(audit).toMatchObject({ lost: 0, duplicated: 0, gapless: true });
      expect(fleetAudit).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
    } finally {
      probing = false;
      await prober;
      for (const writer of writers) await writer.stop();
      fleet.close();
    }
  });
});
