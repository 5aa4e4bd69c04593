/**
 * The build-time switches of the web app. `NEXT_PUBLIC_*` values are inlined into the bundle by
 * `next build`, so changing one needs a rebuild; `next.config.ts` rejects unknown values at build
 * time so a typo cannot silently ship the wrong default.
 */
export interface BuildFlags {
  /** The booking-thread console at `/threads` and its sidebar item. @default true */
  threadsEnabled: boolean;
  /** The people-info header inside a thread. @default true */
  threadHeaderInfoEnabled: boolean;
}

const TRUE_VALUES = new Set(['true', '1', 'yes']);
const FALSE_VALUES = new Set(['false', '0', 'no']);

/** Reads one flag: `true/false/1/0/yes/no`, empty or unset means the default. */
export function parseFlag(name: string, value: string | undefined, fallback: boolean): boolean {
  const normalized = (value ?? '').trim().toLowerCase();
  if (normalized === '') return fallback;
  if (TRUE_VALUES.has(normalized)) return true;
  if (FALSE_VALUES.has(normalized)) return false;
  throw new Error(`${name}: expected true/false/1/0/yes/no, got "${value}"`);
}

/** Validates every build-time variable at once and lists every problem. */
export function validateBuildEnvironment(environment: Record<string, string | undefined>): void {
  const problems: string[] = [];
  for (const name of ['NEXT_PUBLIC_THREADS_ENABLED', 'NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED']) {
    try {
      parseFlag(name, environment[name], true);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const webSocketUrl = environment.NEXT_PUBLIC_WS_URL?.trim();
  if (webSocketUrl && !/^wss?:\/\/[^/]/.test(webSocketUrl)) {
    problems.push(`NEXT_PUBLIC_WS_URL: expected a ws:// or wss:// URL, got "${webSocketUrl}"`);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid web build configuration:\n  - ${problems.join('\n  - ')}`);
  }
}
