/** Protection limits of the gateway, per connection unless said otherwise. */
export const REALTIME_LIMITS = {
  /** Frames a connection may send per window; more are answered `rate_limited`. */
  framesPerWindow: 120,
  windowSeconds: 10,
  /** Refused frames within one window after which the socket is closed with 1008. */
  refusalsBeforeClose: 20,
  /** Frames waiting to be handled before further ones are refused. */
  maxQueuedFrames: 64,
  /** Heartbeats a socket may let pass without a pong (or any frame) before it is cut. */
  missedPongs: 2,
  /** Messages read from the log per round trip when filling a gap. */
  replayChunk: 200,
  /** Sockets closed per drain batch, and the pause between batches. */
  drainBatchSize: 50,
  drainBatchPauseMs: 100,
  /** While a socket's unread counts keep changing, it is sent the latest at most this often. */
  keyedFrameIntervalMs: 1_000,
} as const;
