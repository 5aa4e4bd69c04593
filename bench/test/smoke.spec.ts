import { describe, expect, it } from 'vitest';
import { PROFILES } from '../src/profiles';
import { Progress } from '../src/progress';
import { runBenchmarks } from '../src/run';
import { checkProblems, SCALE_FIGURES } from '../src/scale-figures';

/**
 * The harness at tiny sizes, so it cannot rot: every contender (this API on one Redis node and
 * on a Cluster), every workload, and what must hold whatever the machine: every message reached
 * every member, the Cluster's masters each did their share, and the inbox lists, finds and
 * counts exactly what was written. No timings.
 */
describe('benchmark smoke run', () => {
  it('delivers every message to every member on every contender', async () => {
    const results = await runBenchmarks({
      profile: PROFILES.smoke,
      progress: new Progress(false),
      strict: true,
      webProxy: false,
    });

    expect(results.fanout.map((entry) => entry.contender).sort()).toEqual([
      'api',
      'api-cluster',
      'socketio',
      'socketio-streams',
      'ws',
    ]);
    for (const entry of results.fanout) {
      expect(entry.steps.length, entry.contender).toBeGreaterThan(0);
      for (const step of entry.steps) {
        expect(step.sent, entry.contender).toBeGreaterThan(0);
        expect(step.expectedDeliveries, entry.contender).toBe(
          step.sent * PROFILES.smoke.fanout.membersPerRoom,
        );
        expect({
          contender: entry.contender,
          delivered: step.delivered,
          duplicates: step.duplicates,
        }).toEqual({
          contender: entry.contender,
          delivered: step.expectedDeliveries,
          duplicates: 0,
        });
        expect(step.latencyMs.count, entry.contender).toBeGreaterThan(0);
      }
    }

    // On the Cluster, each of the 3 masters' commands and CPU, and every room on one of them.
    const cluster = results.fanout.find((entry) => entry.contender === 'api-cluster')!;
    for (const step of cluster.steps) {
      expect(step.shards?.map((shard) => shard.slotRanges[0]![0])).toEqual([0, 5461, 10923]);
      expect(step.shards!.reduce((sum, shard) => sum + shard.rooms, 0)).toBe(
        PROFILES.smoke.fanout.rooms,
      );
      expect(step.shards!.filter((shard) => shard.holds.length)).toHaveLength(1);
      for (const shard of step.shards!) {
        expect(shard.commands).toBeGreaterThan(0);
        expect(shard.cpuPercent).toBeGreaterThan(0);
      }
      expect(step.redisCommandsPerMessage).toBeGreaterThan(0);
    }
    // Only the fanout runs on the Cluster.
    expect(results.capacity.map((entry) => entry.contender)).not.toContain('api-cluster');
    expect(results.storm.map((entry) => entry.contender)).not.toContain('api-cluster');

    for (const entry of results.capacity) {
      expect({ contender: entry.contender, reached: entry.reached }).toEqual({
        contender: entry.contender,
        reached: PROFILES.smoke.capacity.steps.at(-1),
      });
    }

    // The API resumes with `since`: a SIGKILLed instance costs its sockets nothing.
    const apiStorm = results.storm.find((entry) => entry.contender === 'api');
    expect(apiStorm?.disconnected).toBe(
      (PROFILES.smoke.storm.rooms * PROFILES.smoke.storm.membersPerRoom) / 2,
    );
    expect(apiStorm?.sent).toBeGreaterThan(0);
    expect({
      resumed: apiStorm?.resumed,
      lost: apiStorm?.lost,
      duplicated: apiStorm?.duplicated,
    }).toEqual({
      resumed: apiStorm?.disconnected,
      lost: 0,
      duplicated: 0,
    });
    // socket.io has no resume with the sharded adapter, and with the streams adapter its
    // sessions die with the killed instance (test/socketio-recovery.spec.ts): they only have
    // to come back.
    for (const name of ['socketio', 'socketio-streams']) {
      const storm = results.storm.find((entry) => entry.contender === name);
      expect(storm?.disconnected, name).toBeGreaterThan(0);
      expect(storm?.resumed, name).toBe(storm?.disconnected);
    }

    // The inbox, grown through the API: each listing paged to its end shows every thread once,
    // the unread filter and counts hold what the history left, each search finds its threads.
    const scale = results.scale!;
    expect(scale.steps.map((step) => step.threads)).toEqual(PROFILES.smoke.scale.sizes);
    for (const step of scale.steps) {
      expect(checkProblems(step.threads, step.checks)).toEqual([]);
      expect(step.checks.map((entry) => entry.viewer)).toEqual(['staff', 'customer']);
      for (const entry of step.checks) {
        expect(entry.listing).toMatchObject({ listed: step.threads, distinct: step.threads });
        expect(entry.listing.pages).toBe(Math.ceil(step.threads / 100));
        // 7 % of the threads hold unread messages for each viewer, one message each.
        expect(entry.unread.expectedThreads).toBeGreaterThan(0);
        expect(entry.unread).toMatchObject({
          total: entry.unread.expectedTotal,
          threads: entry.unread.expectedThreads,
          wrong: 0,
        });
        for (const search of entry.searches) {
          expect(search.expected, search.query).toBeGreaterThan(0);
          expect(search.found, search.query).toBe(search.expected);
        }
      }
      expect(step.figures.map((figure) => `${figure.figure} ${figure.viewer}`).sort()).toEqual(
        SCALE_FIGURES.flatMap((figure) => [`${figure} staff`, `${figure} customer`]).sort(),
      );
      for (const figure of step.figures) {
        const expected =
          figure.figure === 'post' ? '201' : figure.figure === 'ready' ? 'ready' : '200';
        expect({ figure: figure.figure, statuses: figure.statuses }).toEqual({
          figure: figure.figure,
          statuses: { [expected]: PROFILES.smoke.scale.samples },
        });
        expect(figure.bytes, figure.figure).toBeGreaterThan(0);
      }
    }

    const direct = results.http?.paths.find((path) => path.target === 'direct');
    expect(direct?.statuses).toEqual({ '201': expect.any(Number) });
    expect(results.notes.filter((note) => note.includes('failed'))).toEqual([]);
  });
});
