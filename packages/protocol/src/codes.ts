/** WebSocket close codes used by the `/ws/chat` gateway. */
export const CloseCode = {
  normal: 1000,
  /** Sustained flooding or another policy violation. */
  policyViolation: 1008,
  /** A frame over the size limit. */
  messageTooBig: 1009,
  /** The replica is draining: reconnect with backoff and resume. */
  serviceRestart: 1012,
  /** The client read too slowly: reconnect and resume. */
  tryAgainLater: 1013,
  /** The session ended (logout or revocation): do not reconnect until a new login. */
  sessionEnded: 4401,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client should reconnect and resume. */
export const RECONNECTABLE_CLOSE_CODES: ReadonlySet<number> = new Set([
  1001,
  1006,
  1011,
  CloseCode.serviceRestart,
  CloseCode.tryAgainLater,
]);

/** Error codes carried by `error` frames and HTTP error bodies. */
export const ErrorCode = {
  badRequest: 'bad_request',
  unauthorized: 'unauthorized',
  invalidCredentials: 'invalid_credentials',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  rateLimited: 'rate_limited',
  unavailable: 'unavailable',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
