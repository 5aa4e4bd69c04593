import { Logger } from '@nestjs/common';
import { ErrorCode, type ErrorFrameCode, type ServerFrame } from '@chat/protocol';
import { BadRequestError, DomainError } from '../../../common/domain-errors';

type ErrorFrame = Extract<ServerFrame, { event: 'error' }>;

const FRAME_CODE: Record<ErrorCode, ErrorFrameCode> = {
  [ErrorCode.badRequest]: 'bad_request',
  [ErrorCode.unauthorized]: 'unauthorized',
  [ErrorCode.invalidCredentials]: 'unauthorized',
  [ErrorCode.forbidden]: 'forbidden',
  [ErrorCode.notFound]: 'not_found',
  [ErrorCode.conflict]: 'bad_request',
  [ErrorCode.rateLimited]: 'rate_limited',
  [ErrorCode.unavailable]: 'internal',
  [ErrorCode.internal]: 'internal',
};

const logger = new Logger('RealtimeErrors');

export function errorFrame(code: ErrorFrameCode, message: string, ref?: string): ErrorFrame {
  return {
    event: 'error',
    data: ref === undefined ? { code, message } : { code, message, ref },
    ...(ref === undefined ? {} : { ref }),
  };
}

/** The one place that turns what a frame handler threw into an `error` frame. */
export function toErrorFrame(thrown: unknown, ref?: string): ErrorFrame {
  if (thrown instanceof DomainError) {
    const detail =
      thrown instanceof BadRequestError && thrown.issues.length
        ? `${thrown.message}: ${thrown.issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`
        : thrown.message;
    return errorFrame(FRAME_CODE[thrown.code], detail, ref);
  }
  logger.error({ err: thrown }, 'a frame handler failed');
  return errorFrame('internal', 'Something went wrong on our side', ref);
}
