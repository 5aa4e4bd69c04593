import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { type Request } from 'express';
import { SESSION_COOKIE, type User } from '@chat/protocol';
import { UnauthorizedError } from '../../common/domain-errors';
import { type AuthenticatedSession, AuthService } from './auth.service';

type AuthenticatedRequest = Request & { session?: AuthenticatedSession };

/** The session id from the `sid` cookie, else from `Authorization: Bearer <sid>`. */
export function sessionIdFrom(
  headers: { cookie?: string; authorization?: string },
  cookies?: Record<string, string>,
): string | null {
  const fromCookie = cookies?.[SESSION_COOKIE];
  if (fromCookie) return fromCookie;
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  return match?.[1] ?? null;
}

@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const sessionId = sessionIdFrom(request.headers, request.cookies as Record<string, string>);
    const session = sessionId ? await this.auth.authenticate(sessionId) : null;
    if (!session) throw new UnauthorizedError();
    request.session = session;
    return true;
  }
}

/** The signed-in user; use behind {@link SessionGuard}. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): User => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.session) throw new UnauthorizedError();
    return request.session.user;
  },
);
