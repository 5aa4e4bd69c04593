import { afterEach, beforeAll, afterAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RealtimeClient, RealtimeRequestError, type WebSocketLike } from '@chat/realtime-client';
import { type ApiProcess, redisEnvironment, spawnApi } from '../support/api-process';
import { BK_1001_THREAD, BK_2001_THREAD, DEMO } from '../support/http-client';
import { signIn } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { wsUrl } from '../support/ws-client';
import {
  auditLog,
  Fleet,
  LOAD_ENVIRONMENT,
  newPost,
  type Posted,
  readiness,
  readLog,
  timeUntil,
  Writer,
} from './support/load';
import { PROFILE } from './support/profile';
import { fixed, record } from './support/results';

const CONVERSATIONS = [BK_1001_THREAD, BK_2001_THREAD];
const SHUTDOWN_GRACE_MS = 8_000;

/**
 * Sends messages over one realtime-client socket, as the browser composer does: a send that
 * fails (the socket died) is sent again, with the same clientMessageId, once reconnected.
 */
class SocketSender {
  readonly posted: Posted[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly bursts: Array<Promise<void>> = [];
  private sequence = 0;
  readonly client: RealtimeClient;

  constructor(
    cookie: string,
    endpoints: () => string[],
    private readonly label: string,
  ) {
    let attempt = 0;
    this.client = new RealtimeClient({
      url: () => {
        const list = endpoints();
        return list[attempt++ % list.length]!;
      },
      backoff: { baseMs: 250, maxMs: 2_000 },
      requestTimeoutMs: 5_000,
      createWebSocket: (url) =>
        new WebSocket(url, { headers: { cookie } }) as unknown as WebSocketLike,
    });
    this.client.connect();
  }

  start(perSecond: number): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.deliver(this.next());
        await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
      }
    })();
  }

  /** Sends `count` messages at once without waiting: frames in flight for a fault. */
  burst(count: number): void {
    for (let index = 0; index < count; index++) this.bursts.push(this.deliver(this.next()));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all(this.bursts);
    this.client.close();
  }

  private next(): Posted {
    const posted = newPost(this.label, ++this.sequence, BK_1001_THREAD);
    this.posted.push(posted);
    return posted;
  }

  private async deliver(posted: Posted): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.client.state !== 'connected') {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      posted.attempts++;
      try {
        const message = await this.client.sendMessage(
          posted.conversationId,
          posted.body,
          posted.clientMessageId,
        );
        posted.seq = message.seq;
        posted.ackedAt = Date.now();
        return;
      } catch (error) {
        if (!(error instanceof RealtimeRequestError)) throw error;
      }
    }
  }
}

describe('API instances killed and stopped under load', () => {
  let redis: RedisServer;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  beforeEach(async () => {
    const client = redis.client();
    await client.flushall();
    client.disconnect();
    const environment = redisEnvironment(redis.url, {
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
      ...LOAD_ENVIRONMENT,
    });
    [a, b] = await Promise.all([spawnApi(environment), spawnApi(environment)]);
  });
  afterEach(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
  });

  /** Sockets on both instances, HTTP writers on both, a socket sender on A: then `fault` on A. */
  async function underLoad(fault: (a: ApiProcess) => Promise<void>) {
    const [grace, alice, bob, linh] = await Promise.all(
      [DEMO.grace, DEMO.alice, DEMO.bob, DEMO.linh].map((email) => signIn(b, email)),
    );
    let endpoints = [wsUrl(a.baseUrl), wsUrl(b.baseUrl)];
    const fleet = new Fleet(grace!.cookie, endpoints);
    const sockets = PROFILE.faultSockets;
    fleet.open(sockets, CONVERSATIONS);
    const bases = [a.baseUrl, b.baseUrl];
    const writers = [
      new Writer(alice!.cookie, bases, BK_1001_THREAD, 10, 'w-vn'),
      new Writer(bob!.cookie, bases, BK_2001_THREAD, 10, 'w-th'),
    ];
    // linh's composer socket starts on A (the first endpoint), and fails over with the rest.
    const sender = new SocketSender(linh!.cookie, () => endpoints, 'ws-vn');
    try {
      await timeUntil(
        () => fleet.subscribed() === sockets && sender.client.state === 'connected',
        30_000,
        'everyone connected',
      );
      for (const writer of writers) writer.start();
      sender.start(10);
      await timeUntil(
        () => writers.every((writer) => writer.acknowledged.length >= 20),
        15_000,
        'load',
      );
      const onA = fleet.clients.filter((client) => client.endpoints.at(-1) === wsUrl(a.baseUrl));
      const readiesBefore = new Map(onA.map((client) => [client, client.readies]));
      const faultAt = Date.now();
      // Work in flight on A when the fault strikes: 20 posts and 10 socket sends at once.
      const ackedBefore = writers.reduce((sum, writer) => sum + writer.acknowledged.length, 0);
      const bursts = writers.map((writer) => writer.burst(10, a.baseUrl));
      sender.burst(10);
      // Strike once A has answered a few of them: the others are then likely mid-way, applied
      // or not, which is what the retries with the same clientMessageId must sort out.
      await timeUntil(
        () =>
          writers.reduce((sum, writer) => sum + writer.acknowledged.length, 0) >= ackedBefore + 3,
        5_000,
        'A answering the burst',
      );
      // The balancer stops sending new connections and requests to A.
      endpoints = [wsUrl(b.baseUrl)];
      fleet.useEndpoints(endpoints);
      const faulted = fault(a);
      for (const writer of writers) writer.useBaseUrls([b.baseUrl]);
      await faulted;
      await Promise.all(bursts);
      await timeUntil(
        () =>
          onA.every(
            (client) =>
              client.readies > readiesBefore.get(client)! && client.client.state === 'connected',
          ),
        20_000,
        'the sockets of A connected to B',
      );
      const reconnectedMs = Date.now() - faultAt;
      // Everything acknowledged so far (some of it while A went down) reaches every socket.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const writer of writers) await writer.stop();
      await sender.stop();
      for (const writer of writers) await writer.settle();
      const acknowledged = [
        ...writers.flatMap((writer) => writer.acknowledged),
        ...sender.posted.filter((posted) => posted.seq !== null),
      ];
      const unacknowledged = sender.posted.filter((posted) => posted.seq === null).length;
      const logs = await Promise.all(
        CONVERSATIONS.map((id) => readLog(b.baseUrl, grace!.cookie, id)),
      );
      const final = new Map(CONVERSATIONS.map((id, index) => [id, logs[index]!.length]));
      await timeUntil(() => fleet.caughtUp(final) === sockets, 20_000, 'every socket complete');
      const caughtUpMs = Date.now() - faultAt;
      const logAudits = [
        auditLog(logs[0]!, writers[0]!.acknowledged, 'w-vn'),
        auditLog(
          logs[0]!,
          sender.posted.filter((posted) => posted.seq !== null),
          'ws-vn',
        ),
        auditLog(logs[1]!, writers[1]!.acknowledged, 'w-th'),
      ];
      const fleetAudit = fleet.audit(final);
      return {
        sockets,
        onA,
        fleet,
        acknowledged: acknowledged.length,
        retried: acknowledged.filter((posted) => posted.attempts > 1).length,
        foundStored: acknowledged.filter((posted) => posted.foundStored).length,
        unacknowledged,
        reconnectedMs,
        caughtUpMs,
        lost: logAudits.reduce((sum, audit) => sum + audit.lost, 0) + fleetAudit.lost,
        duplicated:
          logAudits.reduce((sum, audit) => sum + audit.duplicated, 0) + fleetAudit.duplicated,
        outOfOrder: fleetAudit.outOfOrder,
        gapless: logAudits.every((audit) => audit.gapless),
      };
    } finally {
      for (const writer of writers) await writer.stop();
      await sender.stop();
      fleet.close();
    }
  }

  it('SIGKILL: the clients reconnect to the other instance, 0 lost, 0 duplicated', async () => {
    const outcome = await underLoad(async (instance) => {
      await instance.stop('SIGKILL');
    });
    const firstCodes = new Set(outcome.onA.map((client) => client.closeCodes[0]));
    record('api-sigkill', {
      tried:
        'SIGKILL of instance A while 2 HTTP writers post 10 messages/s each over both instances, a realtime-client composer on A sends 10/s over its socket, and the sockets (spread over both) follow both threads; posts and sends that got no answer are retried with the same clientMessageId',
      amount: `${outcome.sockets} sockets (${outcome.onA.length} on A), ${outcome.acknowledged} messages acknowledged; 20 posts and 10 socket sends fired at A just before the kill; ${outcome.retried} acknowledged only on a retry, ${outcome.foundStored} of them already stored by A (answered 200, not stored again)`,
      result: `the sockets on A saw ${[...firstCodes].join('/')} and all ${outcome.onA.length} were connected to B ${fixed(outcome.reconnectedMs / 1000, 2)} s after the kill, every one with every message after ${fixed(outcome.caughtUpMs / 1000)} s; lost ${outcome.lost}, duplicated ${outcome.duplicated}, out of order ${outcome.outOfOrder}; seqs gapless: ${outcome.gapless}`,
      figures: {
        sockets: outcome.sockets,
        socketsOnA: outcome.onA.length,
        acknowledged: outcome.acknowledged,
        retried: outcome.retried,
        reconnectedMs: outcome.reconnectedMs,
        caughtUpMs: outcome.caughtUpMs,
        lost: outcome.lost,
        duplicated: outcome.duplicated,
      },
    });
    expect(outcome.onA.length).toBeGreaterThan(0);
    expect(outcome.unacknowledged).toBe(0);
    expect(outcome).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, gapless: true });
    expect(b.child.exitCode).toBeNull();
  });

  it('SIGTERM: every socket on the instance gets 1012, none 1006, and it exits within the grace', async () => {
    let exitCode: number | null = null;
    let exitedMs = 0;
    const readinessDuringDrain: number[] = [];
    const outcome = await underLoad(async (instance) => {
      const signalledAt = Date.now();
      const exited = instance.stop('SIGTERM');
      while (instance.child.exitCode === null && readinessDuringDrain.length < 50) {
        const status = await readiness(instance.baseUrl);
        if (status === 0) break;
        readinessDuringDrain.push(status);
      }
      exitCode = await exited;
      exitedMs = Date.now() - signalledAt;
    });
    const firstCodes = outcome.onA.map((client) => client.closeCodes[0]);
    const with1012 = firstCodes.filter((code) => code === 1012).length;
    const with1006 = firstCodes.filter((code) => code === 1006).length;
    record('api-sigterm', {
      tried:
        'SIGTERM of instance A under the same load: HTTP writes on both instances and a realtime-client composer sending over its socket on A while A drains',
      amount: `${outcome.sockets} sockets (${outcome.onA.length} on A), ${outcome.acknowledged} messages acknowledged; 20 posts and 10 socket sends fired at A just before the signal; ${outcome.retried} acknowledged only on a retry; SHUTDOWN_GRACE_MS=${SHUTDOWN_GRACE_MS}`,
      result: `${with1012}/${outcome.onA.length} sockets on A closed with 1012, ${with1006} with 1006; readiness ${[...new Set(readinessDuringDrain)].join('/')} during the drain; A exited ${exitCode} after ${exitedMs} ms; the sockets of A back on B in ${fixed(outcome.reconnectedMs / 1000, 2)} s; lost ${outcome.lost}, duplicated ${outcome.duplicated}, out of order ${outcome.outOfOrder}`,
      figures: {
        socketsOnA: outcome.onA.length,
        closed1012: with1012,
        closed1006: with1006,
        exitCode,
        exitedMs,
        lost: outcome.lost,
        duplicated: outcome.duplicated,
      },
    });
    expect(outcome.onA.length).toBeGreaterThan(0);
    expect(with1012).toBe(outcome.onA.length);
    expect(with1006).toBe(0);
    expect(exitCode).toBe(0);
    expect(exitedMs).toBeLessThan(SHUTDOWN_GRACE_MS);
    expect(readinessDuringDrain).toContain(503);
    expect(outcome.unacknowledged).toBe(0);
    expect(outcome).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, gapless: true });
  });
});
