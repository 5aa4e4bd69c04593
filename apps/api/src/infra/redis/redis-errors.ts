import { ReplyError } from 'ioredis';
import { UnavailableError } from '../../common/domain-errors';

/**
 * Replies with which Redis says "not now" rather than "never": it is loading its data set, a
 * replica is not writable (a failover is under way), or the cluster is reconfiguring.
 */
const TRANSIENT_REPLY_CODES = new Set([
  'LOADING',
  'READONLY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'NOREPLICAS',
]);

/** Mistakes in our own code, which must not pass for an outage. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError']);

/**
 * What a failed Redis command means to the rest of the API. A reply error is Redis refusing the
 * command (a script bug stays what it is), except for the transient ones above; anything else
 * is the connection (closed, not writable, timed out, out of retries): the command was not
 * applied and the caller may retry, which is an {@link UnavailableError}.
 */
export function toStoreError(error: Error): Error {
  if (error instanceof UnavailableError) return error;
  if (isReplyError(error)) {
    const code = error.message.split(' ', 1)[0] ?? '';
    return TRANSIENT_REPLY_CODES.has(code) ? unavailable(error) : error;
  }
  return PROGRAMMING_ERRORS.has(error.name) ? error : unavailable(error);
}

function unavailable(cause: Error): UnavailableError {
  const error = new UnavailableError();
  error.cause = cause;
  return error;
}

/** Redis answered, with an error (ioredis types its class as `any`). */
function isReplyError(error: Error): boolean {
  return error instanceof (ReplyError as new () => object);
}
