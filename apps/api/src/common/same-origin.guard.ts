import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ForbiddenError } from './domain-errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CHANGES_STATE = Symbol('changesState');

/** Marks a GET that changes something, so it is held to the same-site rule of a POST. */
export const ChangesState = () => SetMetadata(CHANGES_STATE, true);

const hasBody = (request: Request) =>
  Number(request.headers['content-length'] ?? 0) > 0 ||
  request.headers['transfer-encoding'] !== undefined;

const isJson = (request: Request) =>
  /^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '');

/**
 * The cross-site request forgery defence, beside SameSite=Lax cookies: a request that changes
 * something must come from the app's own pages (the browser's `Sec-Fetch-Site`, else `Origin`
 * against ALLOWED_ORIGINS), and a body must be JSON, which no HTML form can send. Clients other
 * than browsers send neither header and are let through: they hold their credentials anyway.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.allowedOrigins = new Set(config.allowedOrigins);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const safe = SAFE_METHODS.has(request.method);
    const changesState =
      !safe ||
      this.reflector.getAllAndOverride<boolean>(CHANGES_STATE, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
    if (!changesState) return true;
    if (!this.sameSite(request, safe)) {
      throw new ForbiddenError('Requests from other sites may not change anything here');
    }
    if (!safe && hasBody(request) && !isJson(request)) {
      throw new UnsupportedMediaTypeException(
        'Send the body as JSON (Content-Type: application/json)',
      );
    }
    return true;
  }

  private sameSite(request: Request, safe: boolean): boolean {
    const fetchSite = request.headers['sec-fetch-site'];
    if (typeof fetchSite === 'string') {
      // `none`: typed into the address bar or opened from a bookmark; only ever a navigation.
      return fetchSite === 'same-origin' || (safe && fetchSite === 'none');
    }
    const origin = request.headers.origin;
    if (origin !== undefined) return this.allowedOrigins.has(origin);
    return true;
  }
}
