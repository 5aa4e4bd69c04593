/**
 * The browser defences of the web app, in one place: the Content Security Policy that
 * `proxy.ts` sends with a fresh nonce on every page, and the headers `next.config.ts` puts on
 * every answer. HSTS is the edge's (Traefik, nginx): only it knows the site is served over TLS.
 */

export interface ContentSecurityPolicyOptions {
  /** This response's nonce: Next puts it on its own scripts and styles. */
  nonce: string;
  /** `next dev` evaluates code for its error overlay and reloads styles inline. */
  development: boolean;
  /** WebSocket origins beyond this page's own, e.g. `ws://localhost:3002` in `pnpm dev`. */
  webSocketOrigins: readonly string[];
}

/**
 * Scripts run only with this response's nonce, and what they load (`'strict-dynamic'`); no
 * plugins, no `<base>` rewriting, forms post only here, and no site may frame a page. Style
 * attributes stay allowed (`style-src-attr`): React writes them into server-rendered markup,
 * and a nonce cannot cover an attribute; they cannot run script.
 */
export function contentSecurityPolicy(options: ContentSecurityPolicyOptions): string {
  const nonce = `'nonce-${options.nonce}'`;
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': [
      "'self'",
      nonce,
      "'strict-dynamic'",
      ...(options.development ? ["'unsafe-eval'"] : []),
    ],
    'style-src': ["'self'", ...(options.development ? ["'unsafe-inline'"] : [nonce])],
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...options.webSocketOrigins],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** WebSocket origins a page may connect to: its own (`'self'` does not cover ws: in every browser) and the configured one. */
export function webSocketOrigins(
  page: { protocol: string; host: string },
  configuredUrl: string,
): string[] {
  const origins = new Set<string>();
  // The Host header is the client's to write: only a plain host[:port] goes into the policy.
  if (
    /^[a-z0-9.-]+(:\d{1,5})?$/i.test(page.host) ||
    /^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(page.host)
  ) {
    origins.add(`${page.protocol === 'https:' ? 'wss' : 'ws'}://${page.host}`);
  }
  if (configuredUrl) {
    try {
      const url = new URL(configuredUrl);
      if (url.protocol === 'ws:' || url.protocol === 'wss:') origins.add(url.origin);
    } catch {
      // next.config.ts refuses such a value at build time.
    }
  }
  return [...origins];
}

/** On every answer of the web server, pages and static files alike. */
export const SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Thread ids never leave the site in a Referer.
  { key: 'Referrer-Policy', value: 'same-origin' },
  // For browsers that predate frame-ancestors.
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
];
