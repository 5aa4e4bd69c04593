import { ErrorCode } from '@chat/protocol';

/** Errors services throw; transport filters map them to HTTP statuses or `error` frames. */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldProblem {
  path: string;
  message: string;
}

export class BadRequestError extends DomainError {
  readonly code = ErrorCode.badRequest;
  constructor(
    message: string,
    readonly issues: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = ErrorCode.unauthorized;
  constructor(message = 'Sign in to continue') {
    super(message);
  }
}

export class InvalidCredentialsError extends DomainError {
  readonly code = ErrorCode.invalidCredentials;
  constructor() {
    super('Email or password is incorrect');
  }
}

export class ForbiddenError extends DomainError {
  readonly code = ErrorCode.forbidden;
  constructor(message = 'You do not have access to this resource') {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = ErrorCode.notFound;
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ConflictError extends DomainError {
  readonly code = ErrorCode.conflict;
}

export class RateLimitedError extends DomainError {
  readonly code = ErrorCode.rateLimited;
}

/** The system of record cannot be reached; the request was not applied. */
export class UnavailableError extends DomainError {
  readonly code = ErrorCode.unavailable;
  constructor(message = 'The service is temporarily unavailable; try again') {
    super(message);
  }
}
