import { describe, expect, it } from 'vitest';
import { PROFILES } from '../src/profiles';
import { Progress } from '../src/progress';
import { runBenchmarks } from '../src/run';

/**
 * The harness at tiny sizes, so it cannot rot: every contender, every workload, and the one
 * thing that must hold whatever the machine: every message reached every member. No timings.
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

    const direct = results.http?.paths.find((path) => path.target === 'direct');
    expect(direct?.statuses).toEqual({ '201': expect.any(Number) });
    expect(results.notes.filter((note) => note.includes('failed'))).toEqual([]);
  });
});
