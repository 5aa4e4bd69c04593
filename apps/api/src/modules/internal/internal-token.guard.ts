import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { type Request } from 'express';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NotFoundError, UnauthorizedError } from '../../common/domain-errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Service-to-service routes: hidden (404) while INTERNAL_API_TOKEN is unset, 401 for a wrong
 * bearer token. Digests keep the comparison constant-time whatever the token lengths.
 */
@Injectable()
export class InternalTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.internalApiToken ? digest(config.internalApiToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new NotFoundError();
    const request = context.switchToHttp().getRequest<Request>();
    const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!presented || !timingSafeEqual(digest(presented), this.expected)) {
      throw new UnauthorizedError('A valid internal API token is required');
    }
    return true;
  }
}
