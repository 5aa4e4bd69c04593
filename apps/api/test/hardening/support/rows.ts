/**
 * Every row of docs/RELIABILITY.md, in order. A row is filled by the test that names it;
 * a row without a result renders as missing, so nothing can silently drop out of the table.
 */
export const ROWS = [
  {
    id: 'redis-kill',
    section: 'Faults',
    title: '`kill -9` of redis-server under load, restarted after 5 s',
    test: 'redis-faults.spec.ts',
  },
  {
    id: 'redis-aof',
    section: 'Faults',
    title: 'Redis restart with AOF: nothing acknowledged is lost',
    test: 'redis-faults.spec.ts',
  },
  {
    id: 'redis-stall',
    section: 'Faults',
    title: 'Redis unreachable without dying: a TCP proxy that stops forwarding (half-open sockets)',
    test: 'redis-stall.spec.ts',
  },
  {
    id: 'sentinel-failover',
    section: 'Faults',
    title: 'Sentinel: `kill -9` of the Redis master under load',
    test: 'redis-failover.spec.ts',
    alsoCoveredBy:
      'replica-ack.spec.ts (no replica: a post is refused and shown only once replicated)',
  },
  {
    id: 'cluster-failover',
    section: 'Faults',
    title: 'Redis Cluster: `kill -9` of a master under load',
    test: 'redis-failover.spec.ts',
  },
  {
    id: 'cluster-reshard',
    section: 'Faults',
    title: 'Redis Cluster: slots moved between masters (resharding) under load',
    test: 'redis-failover.spec.ts',
    alsoCoveredBy:
      'realtime-bus.spec.ts (subscriptions follow a moved slot and a promoted replica)',
  },
  {
    id: 'api-sigkill',
    section: 'Faults',
    title: 'SIGKILL of an API instance under load',
    test: 'api-process-faults.spec.ts',
  },
  {
    id: 'api-sigterm',
    section: 'Faults',
    title: 'SIGTERM of an API instance under load',
    test: 'api-process-faults.spec.ts',
    alsoCoveredBy:
      'realtime-process.spec.ts (200 sockets of one user, writes on the other replica)',
  },
  {
    id: 'soak',
    section: 'Faults',
    title: 'Soak: sockets on two instances, steady traffic and churn',
    test: 'soak.spec.ts',
  },
  {
    id: 'raw-utf8',
    section: 'Hostile input',
    title: 'Invalid UTF-8 in a text frame',
    test: 'raw-frames.spec.ts',
  },
  {
    id: 'raw-rsv-opcode',
    section: 'Hostile input',
    title: 'Reserved bits, unknown opcodes and other framing violations',
    test: 'raw-frames.spec.ts',
  },
  {
    id: 'raw-unmasked',
    section: 'Hostile input',
    title: 'An unmasked client frame',
    test: 'raw-frames.spec.ts',
  },
  {
    id: 'raw-oversize',
    section: 'Hostile input',
    title: 'A fragmented message over 64 KiB (every fragment under it)',
    test: 'raw-frames.spec.ts',
    alsoCoveredBy: 'realtime-gateway.spec.ts (one unfragmented 65 KiB frame)',
  },
  {
    id: 'raw-half-handshake',
    section: 'Hostile input',
    title: 'Half-finished handshakes held open',
    test: 'raw-frames.spec.ts',
  },
  {
    id: 'fuzz-schemas',
    section: 'Hostile input',
    title: 'Property-based fuzzing of every frame and body schema',
    test: 'fuzz.spec.ts',
  },
  {
    id: 'fuzz-gateway',
    section: 'Hostile input',
    title: 'Property-based fuzzing of the gateway with random frames',
    test: 'fuzz.spec.ts',
  },
  {
    id: 'fuzz-http',
    section: 'Hostile input',
    title: 'Property-based fuzzing of the HTTP routes with random bodies, queries and ids',
    test: 'fuzz.spec.ts',
  },
  {
    id: 'cswsh-origin',
    section: 'Hostile input',
    title: 'Cross-site WebSocket hijacking: hostile and look-alike `Origin`s',
    test: 'cswsh.spec.ts',
  },
  {
    id: 'session-in-url',
    section: 'Hostile input',
    title: 'A session id in the URL',
    test: 'cswsh.spec.ts',
  },
  {
    id: 'logs',
    section: 'Hostile input',
    title: 'Nothing logs session ids or message bodies',
    test: 'cswsh.spec.ts',
    alsoCoveredBy: 'process.spec.ts (HTTP requests on the embedded engine)',
  },
  {
    id: 'authz-events',
    section: 'Hostile input',
    title: 'Authorization of every client event',
    test: 'authorization.spec.ts',
  },
  {
    id: 'authz-routes',
    section: 'Hostile input',
    title: 'Authorization of every chat route',
    test: 'authorization.spec.ts',
  },
  {
    id: 'authz-revoked',
    section: 'Hostile input',
    title: 'Access lost while a socket is open',
    test: 'authorization.spec.ts',
  },
  {
    id: 'flood-messages',
    section: 'Hostile input',
    title: 'Flood: message rate (WebSocket and HTTP)',
    test: 'floods.spec.ts',
  },
  {
    id: 'flood-connections',
    section: 'Hostile input',
    title: 'Flood: connection rate per IP',
    test: 'floods.spec.ts',
  },
  {
    id: 'flood-sockets',
    section: 'Hostile input',
    title: 'Flood: sockets per user across replicas',
    test: 'floods.spec.ts',
    alsoCoveredBy: 'realtime-gateway.spec.ts (the cap on one instance)',
  },
  {
    id: 'flood-latency',
    section: 'Hostile input',
    title: "Other users' latency during the floods",
    test: 'floods.spec.ts',
  },
  {
    id: 'login-spray',
    section: 'Hostile input',
    title: 'Password spray: one account from many addresses',
    test: 'accounts.spec.ts',
    alsoCoveredBy: 'http-api.spec.ts (the per-account limit on both engines)',
  },
  {
    id: 'session-lifetime',
    section: 'Hostile input',
    title: 'Sessions that outlive their use, an offboarding or a password change',
    test: 'accounts.spec.ts',
    alsoCoveredBy: 'realtime-replicas.spec.ts (4401 on both replicas)',
  },
  {
    id: 'password-hashing',
    section: 'Hostile input',
    title: 'Password hashes cheap to guess offline',
    test: 'accounts.spec.ts',
  },
  {
    id: 'forwarded-for',
    section: 'Hostile input',
    title: 'A neighbour on a shared network claiming client addresses and reading metrics',
    test: 'proxies.spec.ts',
  },
  {
    id: 'production-config',
    section: 'Hostile input',
    title: 'Production on a Redis without a password, or with the demo accounts',
    test: 'production.spec.ts',
    alsoCoveredBy: 'process.spec.ts (the built process against an open Redis)',
  },
  {
    id: 'cross-site',
    section: 'Hostile input',
    title:
      'Cross-site request forgery: other sites, form posts, reads from elsewhere; cached answers',
    test: 'requests.spec.ts',
    alsoCoveredBy: 'http-api.spec.ts (both engines)',
  },
  {
    id: 'id-characters',
    section: 'Hostile input',
    title: 'Ids with key-pattern, path and control characters',
    test: 'requests.spec.ts',
  },
  {
    id: 'open-redirect',
    section: 'Hostile input',
    title: 'Open redirects: `next=` after login and notification links',
    test: 'browser-defences.spec.ts',
  },
  {
    id: 'browser-defences',
    section: 'Hostile input',
    title: 'Script injection and framing: every page under a Content Security Policy',
    test: 'browser-defences.spec.ts',
  },
  {
    id: 'mention-cap',
    section: 'Hostile input',
    title: 'A message that mentions a thousand people',
    test: 'amplification.spec.ts',
    alsoCoveredBy: 'http-api.spec.ts (both engines)',
  },
  {
    id: 'replay-budget',
    section: 'Hostile input',
    title: 'Resumes that replay a long history again and again',
    test: 'amplification.spec.ts',
    alsoCoveredBy: 'realtime-gateway.spec.ts (both engines)',
  },
  {
    id: 'close-code-labels',
    section: 'Hostile input',
    title: 'Close codes a client picks, one metric label each',
    test: 'amplification.spec.ts',
    alsoCoveredBy: 'realtime-gateway.spec.ts (both engines)',
  },
  {
    id: 'proxy-allowlist',
    section: 'Hostile input',
    title: "Private API routes through the web app's public proxy",
    test: 'browser-defences.spec.ts',
  },
] as const satisfies ReadonlyArray<{
  id: string;
  section: 'Faults' | 'Hostile input';
  title: string;
  test: string;
  alsoCoveredBy?: string;
}>;

export type RowId = (typeof ROWS)[number]['id'];

/** What a test measured for its row. */
export interface RowResult {
  /** What was done to the system. */
  tried: string;
  /** How much of it (sizes, counts, durations). */
  amount: string;
  /** What was measured. */
  result: string;
  /** The raw figures behind `result`, for the JSON record. */
  figures: Record<string, number | string | boolean | null>;
}

export interface RecordedRow extends RowResult {
  id: RowId;
  /** `held` when the test passed, `failed` when an assertion failed after recording. */
  outcome: 'held' | 'failed';
  profile: string;
  recordedAt: string;
}
