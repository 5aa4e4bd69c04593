import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { type Response } from 'express';
import { type ErrorBody, ErrorCode } from '@chat/protocol';
import { BadRequestError, DomainError } from './domain-errors';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.badRequest]: HttpStatus.BAD_REQUEST,
  [ErrorCode.unauthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.invalidCredentials]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.notFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.conflict]: HttpStatus.CONFLICT,
  [ErrorCode.rateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.badRequest,
  401: ErrorCode.unauthorized,
  403: ErrorCode.forbidden,
  404: ErrorCode.notFound,
  409: ErrorCode.conflict,
  413: ErrorCode.badRequest,
  414: ErrorCode.badRequest,
  415: ErrorCode.badRequest,
  429: ErrorCode.rateLimited,
  503: ErrorCode.unavailable,
};

/** The one place that turns errors into HTTP responses: `{error, message, issues?}`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toResponse(exception);
    if (status >= 500 && !(exception instanceof DomainError)) {
      this.logger.error({ err: exception }, 'a request failed');
    }
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) {
      const body: ErrorBody = { error: exception.code, message: exception.message };
      if (exception instanceof BadRequestError && exception.issues.length)
        body.issues = exception.issues;
      return { status: STATUS_BY_CODE[exception.code], body };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Express's body parser reports malformed JSON as a 400 HttpException.
      return {
        status,
        body: { error: CODE_BY_STATUS[status] ?? ErrorCode.internal, message: exception.message },
      };
    }
    if (isExposedClientError(exception)) {
      // Raised by Express's body parser before Nest sees the request: a body over the size
      // limit (413), an unsupported charset or encoding (415), a truncated body (400).
      return {
        status: exception.status,
        body: {
          error: CODE_BY_STATUS[exception.status] ?? ErrorCode.badRequest,
          message: exception.message,
        },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: ErrorCode.internal, message: 'Something went wrong on our side' },
    };
  }
}

/** An `http-errors` error marked safe to show (`expose`) with a 4xx status. */
function isExposedClientError(error: unknown): error is Error & { status: number } {
  if (!(error instanceof Error)) return false;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
}
