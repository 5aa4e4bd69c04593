import { type NextFunction, type Request, type Response } from 'express';

/**
 * Headers on every answer of the API: nothing is cached (answers are per user, and a shared
 * cache or the browser's back button must not show them to someone else), nothing is sniffed
 * into another type, and nothing is rendered as a page or framed.
 */
export function apiResponseHeaders(
  _request: Request,
  response: Response,
  next: NextFunction,
): void {
  response.setHeader('cache-control', 'no-store');
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  next();
}
