import { afterEach, describe, expect, it } from 'vitest';
import { RedisCluster, RedisSentinelGroup } from '@chat/test-support';
import { redisChannels, redisKeys } from '../../src/infra/redis/redis-keys';
import { rooms } from '../../src/modules/realtime/delivery/room-events';
import { type ApiProcess, redisEnvironment, spawnApi } from '../support/api-process';
import { clusterEnvironment, sentinelEnvironment } from '../support/engines';
import { BK_1001_THREAD, BK_2001_THREAD, DEMO } from '../support/http-client';
import { signIn } from '../support/realtime';
import { wsUrl } from '../support/ws-client';
import {
  auditLog,
  Fleet,
  type FleetClient,
  LOAD_ENVIRONMENT,
  readLog,
  timeUntil,
  Writer,
} from './support/load';
import { PROFILE } from './support/profile';
import { fixed, record } from './support/results';

const CONVERSATIONS = [BK_1001_THREAD, BK_2001_THREAD];
const LABELS = ['ha-vn', 'ha-th'];
/** Every post waits for a replica (REDIS_MIN_REPLICAS_ACK=1) before it is acknowledged. */
const ACKNOWLEDGED = { REDIS_MIN_REPLICAS_ACK: '1', REDIS_REPLICA_ACK_TIMEOUT_MS: '1000' };

interface FaultRun {
  sockets: number;
  acknowledged: number;
  refused: number;
  /** From the fault to the first acknowledged post of every writer after it. */
  writeMs: number;
  /** From the fault to every socket holding every message acknowledged until writes resumed. */
  fanoutMs: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Deliveries whose message is not the one the log holds at that seq (shown, then lost). */
  diverged: number;
  gapless: boolean;
  statuses: number[];
}

/**
 * Two API instances on `environment`, sockets spread over both following both threads, two
 * writers posting 10 messages/s each over both (retrying an unanswered post with the same
 * clientMessageId); `fault` runs once the load is steady and resolves with when it struck.
 */
async function underLoad(
  environment: Record<string, string>,
  fault: () => Promise<number>,
): Promise<FaultRun> {
  const apiEnvironment = redisEnvironment('', { ...environment, ...LOAD_ENVIRONMENT });
  const apis: ApiProcess[] = await Promise.all([
    spawnApi(apiEnvironment),
    spawnApi(apiEnvironment),
  ]);
  const [a, b] = apis as [ApiProcess, ApiProcess];
  const [grace, alice, bob] = await Promise.all(
    [DEMO.grace, DEMO.alice, DEMO.bob].map((email) => signIn(a, email)),
  );
  const fleet = new Fleet(grace!.cookie, [wsUrl(a.baseUrl), wsUrl(b.baseUrl)]);
  const delivered = new Map<FleetClient, Map<string, string>>();
  fleet.onMessage = (message, client) => {
    let ids = delivered.get(client);
    if (!ids) delivered.set(client, (ids = new Map()));
    ids.set(`${message.conversationId} ${message.seq}`, message.id);
  };
  const sockets = PROFILE.faultSockets;
  fleet.open(sockets, CONVERSATIONS);
  const bases = [a.baseUrl, b.baseUrl];
  const writers = [
    new Writer(alice!.cookie, bases, BK_1001_THREAD, 10, LABELS[0]!),
    new Writer(bob!.cookie, bases, BK_2001_THREAD, 10, LABELS[1]!),
  ];
  const lastSeqs = () =>
    new Map(
      writers.map((writer, index) => [
        CONVERSATIONS[index]!,
        Math.max(0, ...writer.acknowledged.map((posted) => posted.seq!)),
      ]),
    );
  try {
    await timeUntil(() => fleet.subscribed() === sockets, 30_000, 'the fleet');
    for (const writer of writers) writer.start();
    await timeUntil(
      () => writers.every((writer) => writer.acknowledged.length >= 20),
      20_000,
      'load',
    );
    const faultAt = await fault();
    const writeMs = await timeUntil(
      () =>
        writers.every((writer) => writer.acknowledged.some((posted) => posted.ackedAt! > faultAt)),
      30_000,
      'a write after the fault',
    );
    const probe = lastSeqs();
    await timeUntil(() => fleet.caughtUp(probe) === sockets, 30_000, 'every socket caught up');
    const fanoutMs = Date.now() - faultAt;

    for (const writer of writers) await writer.stop();
    for (const writer of writers) await writer.settle();
    const final = lastSeqs();
    await timeUntil(() => fleet.caughtUp(final) === sockets, 30_000, 'every socket complete');
    const logs = await Promise.all(
      CONVERSATIONS.map((id) => readLog(a.baseUrl, grace!.cookie, id)),
    );
    const audits = writers.map((writer, index) =>
      auditLog(logs[index]!, writer.acknowledged, LABELS[index]!),
    );
    const fleetAudit = fleet.audit(final);
    const idAt = new Map<string, string>(
      logs.flatMap((log, index) =>
        log.map((message): [string, string] => [
          `${CONVERSATIONS[index]} ${message.seq}`,
          message.id,
        ]),
      ),
    );
    let diverged = 0;
    for (const ids of delivered.values())
      for (const [at, id] of ids) if (idAt.get(at) !== id) diverged++;
    const statuses = [...new Set(writers.flatMap((writer) => [...writer.statuses.keys()]))].sort(
      (x, y) => x - y,
    );
    return {
      sockets,
      acknowledged: writers.reduce((sum, writer) => sum + writer.acknowledged.length, 0),
      refused: writers.reduce(
        (sum, writer) =>
          sum +
          [...writer.statuses]
            .filter(([status]) => status >= 500 || status === 0)
            .reduce((total, [, count]) => total + count, 0),
        0,
      ),
      writeMs,
      fanoutMs,
      lost: audits.reduce((sum, audit) => sum + audit.lost, 0) + fleetAudit.lost,
      duplicated: audits.reduce((sum, audit) => sum + audit.duplicated, 0) + fleetAudit.duplicated,
      outOfOrder: fleetAudit.outOfOrder,
      diverged,
      gapless: audits.every((audit) => audit.gapless),
      statuses,
    };
  } finally {
    for (const writer of writers) await writer.stop();
    fleet.close();
    await Promise.all(apis.map((api) => api.stop('SIGKILL')));
  }
}

function expectHeld(run: FaultRun): void {
  expect(run.lost).toBe(0);
  expect(run.duplicated).toBe(0);
  expect(run.outOfOrder).toBe(0);
  expect(run.diverged).toBe(0);
  expect(run.gapless).toBe(true);
  // Refusals are 503 (the client retries); never another server error.
  expect(run.statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
}

const outcome = (run: FaultRun) =>
  `lost ${run.lost} (acknowledged, then missing from the log or from a socket), duplicated ${run.duplicated}, out of order ${run.outOfOrder}, shown and then not in the log ${run.diverged}`;

describe('Redis failover and resharding under load', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('Sentinel: kill -9 of the master; a replica takes over and nothing acknowledged is lost', async () => {
    // Two replicas: with REDIS_MIN_REPLICAS_ACK=1, the promoted one still has a replica to wait for.
    const group = await RedisSentinelGroup.start({ replicas: 2 });
    cleanups.push(() => group.dispose());
    let promotedMs = 0;
    const run = await underLoad({ ...sentinelEnvironment(group), ...ACKNOWLEDGED }, async () => {
      const master = await group.masterPort();
      await group.kill(master);
      const killedAt = Date.now();
      void timeUntil(
        async () => (await group.masterPort().catch(() => master)) !== master,
        30_000,
        'the promotion',
      ).then((elapsed) => (promotedMs = elapsed));
      return killedAt;
    });
    record('sentinel-failover', {
      tried: `SIGKILL of the Redis master (Sentinel: 1 master, 2 replicas, 3 sentinels, down-after 1 s; AOF fsync always) while 2 writers post 10 messages/s each over both API instances (REDIS_MIN_REPLICAS_ACK=1) and ${run.sockets} sockets (realtime-client, spread over both) follow both threads`,
      amount: `${run.acknowledged} messages acknowledged, ${run.refused} posts refused during the failover and retried with the same clientMessageId`,
      result: `replica promoted ${fixed(promotedMs / 1000)} s after the kill; posts succeeded again after ${fixed(run.writeMs / 1000)} s; every socket (on both instances) had every message after ${fixed(run.fanoutMs / 1000)} s; posts answered ${run.statuses.join('/')}; ${outcome(run)}`,
      figures: { ...run, statuses: run.statuses.join('/'), promotedMs },
    });
    expectHeld(run);
    expect(run.writeMs).toBeLessThanOrEqual(15_000);
    expect(run.fanoutMs).toBeLessThanOrEqual(20_000);
  });

  it('Cluster: kill -9 of the master of a busy thread; its replica takes over and nothing acknowledged is lost', async () => {
    const cluster = await RedisCluster.start({ replicasPerMaster: 2 });
    cleanups.push(() => cluster.dispose());
    let promotedMs = 0;
    let victimSlots = 0;
    const run = await underLoad({ ...clusterEnvironment(cluster), ...ACKNOWLEDGED }, async () => {
      const victim = await cluster.masterOf(
        await cluster.slotOf(redisKeys.messageLog(BK_1001_THREAD)),
      );
      victimSlots = victim.slots.reduce((sum, [first, last]) => sum + last - first + 1, 0);
      await cluster.kill(victim.port);
      const killedAt = Date.now();
      void timeUntil(
        async () =>
          (await cluster.masterOf(victim.slots[0]![0]).catch(() => victim)).port !== victim.port,
        30_000,
        'the promotion',
      ).then((elapsed) => (promotedMs = elapsed));
      return killedAt;
    });
    record('cluster-failover', {
      tried: `SIGKILL of the master that holds BK-1001's thread (Cluster: 3 masters with 2 replicas each, node timeout 1 s; AOF fsync always) under the same load: 2 writers at 10 messages/s over both API instances (REDIS_MIN_REPLICAS_ACK=1), ${run.sockets} sockets following both threads`,
      amount: `${run.acknowledged} messages acknowledged, ${run.refused} posts refused during the failover and retried; the killed master served ${victimSlots} of 16384 slots`,
      result: `replica promoted ${fixed(promotedMs / 1000)} s after the kill; posts succeeded again after ${fixed(run.writeMs / 1000)} s; every socket had every message after ${fixed(run.fanoutMs / 1000)} s; posts answered ${run.statuses.join('/')}; ${outcome(run)}`,
      figures: { ...run, statuses: run.statuses.join('/'), promotedMs, victimSlots },
    });
    expectHeld(run);
    expect(run.writeMs).toBeLessThanOrEqual(15_000);
    expect(run.fanoutMs).toBeLessThanOrEqual(20_000);
  });

  it('Cluster: the slots of both busy threads move to other masters under load; no socket misses a message', async () => {
    const cluster = await RedisCluster.start();
    cleanups.push(() => cluster.dispose());
    let moved: Array<{ slot: number; keys: number }> = [];
    let movingMs = 0;
    const run = await underLoad(clusterEnvironment(cluster), async () => {
      const startedAt = Date.now();
      // Each thread's slot holds its log, participants and markers, and its room's channel.
      const slots = await Promise.all(
        CONVERSATIONS.map((id) => cluster.slotOf(redisChannels.room(rooms.conversation(id)))),
      );
      moved = [];
      for (const slot of slots) {
        const source = await cluster.masterOf(slot);
        const target = (await cluster.masters()).find((master) => master.port !== source.port)!;
        const keys = Number(
          await cluster.node(source.port).cli('CLUSTER', 'COUNTKEYSINSLOT', `${slot}`),
        );
        await cluster.moveSlot(slot, target.port);
        moved.push({ slot, keys });
      }
      movingMs = Date.now() - startedAt;
      return startedAt;
    });
    record('cluster-reshard', {
      tried: `redis-cli --cluster reshard's steps (IMPORTING/MIGRATING, MIGRATE of the keys in batches, SETSLOT NODE) for the slots of both busy threads, each to another master, while 2 writers post 10 messages/s each over both API instances and ${run.sockets} sockets follow both threads`,
      amount: `${moved.length} slots (${moved.map((slot) => `${slot.keys} keys`).join(', ')}) moved in ${fixed(movingMs / 1000)} s; ${run.acknowledged} messages acknowledged, ${run.refused} posts refused and retried`,
      result: `posts went on (the first after the move began ${fixed(run.writeMs / 1000)} s in); every socket had every message ${fixed(run.fanoutMs / 1000)} s after the move began; posts answered ${run.statuses.join('/')}; ${outcome(run)}`,
      figures: {
        ...run,
        statuses: run.statuses.join('/'),
        movedSlots: moved.length,
        movedKeys: moved.reduce((sum, slot) => sum + slot.keys, 0),
        movingMs,
      },
    });
    expectHeld(run);
    expect(moved).toHaveLength(2);
    expect(run.fanoutMs).toBeLessThanOrEqual(20_000);
  });
});
