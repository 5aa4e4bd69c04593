/**
 * Sizes and durations of the hardening suite. CI runs the short `ci` profile (the whole task in
 * about three minutes); `HARDENING_PROFILE=full` is the run recorded in docs/RELIABILITY.md.
 * Every value can also be set on its own, e.g. `HARDENING_SOAK_SECONDS=120`.
 */
const full = process.env.HARDENING_PROFILE === 'full';

function setting(name: string, ci: number, fullRun: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return full ? fullRun : ci;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
  return value;
}

export const PROFILE = {
  name: full ? 'full' : 'ci',
  /** Soak length, warm-up included. The full soak is 10 minutes. */
  soakSeconds: setting('HARDENING_SOAK_SECONDS', 30, 600),
  /** Part of the soak before RSS is taken as the baseline. */
  soakWarmupSeconds: setting('HARDENING_SOAK_WARMUP_SECONDS', 10, 60),
  /** Sockets held open during the soak, spread over two instances. */
  soakSockets: setting('HARDENING_SOAK_SOCKETS', 120, 400),
  /** Messages posted per second during the soak. */
  soakMessagesPerSecond: setting('HARDENING_SOAK_RATE', 20, 20),
  /** Sockets under load in the fault tests (Redis kill, API SIGKILL and SIGTERM). */
  faultSockets: setting('HARDENING_FAULT_SOCKETS', 60, 200),
  /** How long redis-server stays dead before it is restarted. */
  redisDownSeconds: setting('HARDENING_REDIS_DOWN_SECONDS', 5, 5),
  /** Random frames sent to the gateway, and cases per schema property. */
  fuzzCases: setting('HARDENING_FUZZ_CASES', 10_000, 10_000),
  /** Round trips per phase of the latency comparison under flood. */
  latencySamples: setting('HARDENING_LATENCY_SAMPLES', 150, 400),
  /**
   * How far other users' median latency may rise under a flood at 10× the limits: the issue's
   * 10 % in the recorded run, which has the machine to itself. CI runs this suite beside the
   * other packages' tests (browsers, builds), whose load comes and goes between phases, so there
   * it only guards against a gross regression.
   */
  floodP50Ratio: setting('HARDENING_FLOOD_P50_RATIO', 1.5, 1.1),
  /** The same bound in milliseconds, for medians too small for a ratio to resolve. */
  floodP50SlackMs: setting('HARDENING_FLOOD_P50_SLACK_MS', 3, 1),
} as const;
