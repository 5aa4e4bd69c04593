export type ProfileName = 'smoke' | 'quick' | 'full';

export interface FanoutParameters {
  rooms: number;
  membersPerRoom: number;
  /** Offered publish rates (messages per second, all writers together), in order. */
  rates: number[];
  stepMs: number;
  /** The first part of each step is not measured (connections warm, queues settle). */
  warmupMs: number;
  /** After a step, how long stragglers may take before they count as missing. */
  drainMs: number;
  /** Stop rising once a step's p99 exceeds this, or it delivers under 95 % of what it should. */
  stopAboveP99Ms: number;
}

export interface CapacityParameters {
  /** Socket counts at which memory is measured, rising. */
  steps: number[];
  heartbeatMs: number;
  /** CPU is measured over this long at the top step (two heartbeat rounds or more). */
  heartbeatWindowMs: number;
}

export interface StormParameters {
  rooms: number;
  membersPerRoom: number;
  /**
   * Messages per second per room, from writers on the instance that survives. Kept well below
   * what one instance of the slowest contender sustains, so the storm measures reconnecting
   * and resuming, not saturation (the fanout workload measures that).
   */
  ratePerRoom: number;
  killAfterMs: number;
  publishMs: number;
  reconnectBaseMs: number;
  reconnectCapMs: number;
}

export interface HttpParameters {
  /** Posts sent one after another, for the latency of an unloaded path. */
  sequential: number;
  concurrency: number;
  durationMs: number;
}

export interface ScaleParameters {
  /** Threads visible to the staff member and the customer at each measured size, rising. */
  sizes: number[];
  /** Sequential samples per figure (and user) at each size, after `warmup` unrecorded ones. */
  samples: number;
  warmup: number;
  /** The later page measured: this page of a listing, reached by following its cursors. */
  laterPage: number;
  /** Requests to the API at once while the threads are made. */
  buildConcurrency: number;
  /** Keep each size's data set in bench/.cache/ and start from it next time. */
  cache: boolean;
}

export interface Profile {
  name: ProfileName;
  workers: number;
  fanout: FanoutParameters;
  capacity: CapacityParameters;
  storm: StormParameters;
  http: HttpParameters;
  scale: ScaleParameters;
  /** Sockets that share one API user (and session); 1 = every member is a distinct user. */
  socketsPerUser: number;
}

export const PROFILES: Record<ProfileName, Profile> = {
  smoke: {
    name: 'smoke',
    workers: 2,
    fanout: {
      rooms: 3,
      membersPerRoom: 4,
      rates: [30],
      stepMs: 1_500,
      warmupMs: 300,
      drainMs: 3_000,
      stopAboveP99Ms: 5_000,
    },
    capacity: { steps: [20], heartbeatMs: 500, heartbeatWindowMs: 1_000 },
    storm: {
      rooms: 3,
      membersPerRoom: 4,
      ratePerRoom: 5,
      killAfterMs: 800,
      publishMs: 3_000,
      reconnectBaseMs: 200,
      reconnectCapMs: 1_000,
    },
    http: { sequential: 20, concurrency: 2, durationMs: 500 },
    scale: {
      sizes: [60, 150],
      samples: 5,
      warmup: 1,
      laterPage: 2,
      buildConcurrency: 8,
      cache: false,
    },
    socketsPerUser: 2,
  },
  // Every contender in a few minutes (the fanout on a Cluster adds about one): the fanout starts
  // at 200 msgs/s (5,000 deliveries/s, still far from saturating anyone) and the storm
  // publishes for 8 s.
  quick: {
    name: 'quick',
    workers: 2,
    fanout: {
      rooms: 40,
      membersPerRoom: 25,
      rates: [200, 400, 800, 1_600, 3_200, 6_400],
      stepMs: 4_000,
      warmupMs: 1_000,
      drainMs: 3_000,
      stopAboveP99Ms: 1_000,
    },
    capacity: { steps: [1_000, 3_000, 5_000], heartbeatMs: 2_500, heartbeatWindowMs: 5_000 },
    storm: {
      rooms: 40,
      membersPerRoom: 25,
      ratePerRoom: 1,
      killAfterMs: 2_000,
      publishMs: 8_000,
      reconnectBaseMs: 500,
      reconnectCapMs: 5_000,
    },
    http: { sequential: 300, concurrency: 16, durationMs: 3_000 },
    // 100,000 threads take minutes to make the first time: the quick run stops at 10,000.
    scale: {
      sizes: [1_000, 10_000],
      samples: 100,
      warmup: 10,
      laterPage: 10,
      buildConcurrency: 32,
      cache: true,
    },
    socketsPerUser: 5,
  },
  full: {
    name: 'full',
    workers: 3,
    fanout: {
      rooms: 100,
      membersPerRoom: 50,
      rates: [100, 200, 400, 600, 800, 1_200, 1_600, 2_400, 3_200, 4_800, 6_400, 9_600],
      stepMs: 10_000,
      warmupMs: 2_000,
      drainMs: 5_000,
      stopAboveP99Ms: 1_000,
    },
    capacity: {
      steps: [1_000, 5_000, 10_000, 15_000],
      heartbeatMs: 10_000,
      heartbeatWindowMs: 20_000,
    },
    storm: {
      rooms: 100,
      membersPerRoom: 50,
      ratePerRoom: 0.5,
      killAfterMs: 3_000,
      publishMs: 15_000,
      reconnectBaseMs: 500,
      reconnectCapMs: 5_000,
    },
    http: { sequential: 1_000, concurrency: 32, durationMs: 10_000 },
    scale: {
      sizes: [1_000, 10_000, 100_000],
      samples: 200,
      warmup: 20,
      laterPage: 10,
      buildConcurrency: 32,
      cache: true,
    },
    socketsPerUser: 1,
  },
};
