import { type ClientKind } from '../load/ipc';
import { type ServerProcess } from '../infra/server-process';
import { type Profile } from '../profiles';
import { type Progress } from '../progress';

export type ContenderName = 'api' | 'api-cluster' | 'socketio' | 'socketio-streams' | 'ws';

/** The workloads that run against each contender (http and scale make their own API). */
export type ContenderWorkload = 'fanout' | 'capacity' | 'storm';

/** The Redis a contender's servers use: one node, or the masters (shards) of a Cluster. */
export interface ContenderRedis {
  topology: 'node' | 'cluster';
  /** One URL per node that serves commands: the node, or each master of the Cluster. */
  urls: string[];
  /** A key in the hash slot that holds room `room`'s data (Cluster only: which shard serves it). */
  roomKey?: (room: string) => string;
  /** Keys every message touches whatever its room, by what they hold (Cluster only). */
  sharedKeys?: Record<string, string>;
}

export interface DeployOptions {
  instances: number;
  heartbeatMs: number;
  /** Start the servers with `--inspect` (memory after GC, CPU profiles, heap snapshots). */
  inspect: boolean;
}

export interface Deployment {
  /** The URL a client opens, one per instance. */
  endpoints: string[];
  servers: ServerProcess[];
  /** Inspector port per server, when started with `inspect`. */
  inspectPorts: Array<number | null>;
  /** The processes whose CPU and memory count for this contender (servers and its Redis). */
  pids(): number[];
  stop(): Promise<void>;
}

/** A system under test. */
export interface Contender {
  readonly name: ContenderName;
  readonly label: string;
  readonly description: string;
  readonly kind: ClientKind;
  readonly maxInstances: number;
  /** The workloads it takes part in; every one when absent. */
  readonly workloads?: readonly ContenderWorkload[];
  /** Starts what outlives one deployment (Redis, users, rooms, sessions). */
  setUp(profile: Profile, progress: Progress): Promise<void>;
  deploy(options: DeployOptions): Promise<Deployment>;
  /** The id clients use for room `index` (a conversation id for the API). */
  room(index: number): string;
  /** The credential of member `member` of room `room`, for the socket it opens. */
  memberCredential(room: number, member: number): string | undefined;
  /** The credential of the writer that publishes into room `room` (in the storm). */
  writerCredential(room: number): string | undefined;
  /** The credential of the `index`-th idle socket of the capacity workload. */
  idleCredential(index: number): string | undefined;
  /** Pids of long-lived helpers (Redis), for CPU accounting. */
  helperPids(): number[];
  /** The contender's Redis, if it has one (to count the commands and CPU a workload costs). */
  redis(): ContenderRedis | null;
  tearDown(): Promise<void>;
}

/** The Origin header every client sends; the API allows exactly this one. */
export const BENCH_ORIGIN = 'http://bench.localhost';
