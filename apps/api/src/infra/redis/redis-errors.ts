// ioredis reports a lost connection through several error shapes; all mean "not applied, retry".
const UNAVAILABLE_PATTERNS = [
  /enableOfflineQueue/i,
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/,
  /Command timed out/i,
  /LOADING/,
];

export function isRedisUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE_PATTERNS.some((pattern) => pattern.test(error.message));
}
