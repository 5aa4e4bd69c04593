import { type NextRequest, NextResponse } from 'next/server';
import { configuredWebSocketUrl } from './lib/flags';
import { contentSecurityPolicy, webSocketOrigins } from './lib/security-headers';

/**
 * Every page gets a Content Security Policy with a nonce of its own. Next reads the nonce from
 * the request's policy while it renders and puts it on its scripts, which is why every page is
 * rendered per request (the root layout waits for the connection).
 */
export function proxy(request: NextRequest): NextResponse {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const nonce = btoa(String.fromCharCode(...bytes));
  const policy = contentSecurityPolicy({
    nonce,
    development: process.env.NODE_ENV === 'development',
    webSocketOrigins: webSocketOrigins(
      { protocol: request.nextUrl.protocol, host: request.headers.get('host') ?? '' },
      configuredWebSocketUrl,
    ),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the API proxy, static chunks or the icon.
      source: '/((?!api/|_next/static|_next/image|favicon.svg).*)',
      // A prefetch answers with data, not a page.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
