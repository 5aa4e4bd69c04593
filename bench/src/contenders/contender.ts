import { type ClientKind } from '../load/ipc';
import { type ServerProcess } from '../infra/server-process';
import { type Profile } from '../profiles';
import { type Progress } from '../progress';

export type ContenderName = 'api' | 'socketio' | 'socketio-streams' | 'ws';

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
  /** The contender's Redis, if it has one (to count the commands a workload costs). */
  redisUrl(): string | null;
  tearDown(): Promise<void>;
}

/** The Origin header every client sends; the API allows exactly this one. */
export const BENCH_ORIGIN = 'http://bench.localhost';
