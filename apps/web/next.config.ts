import path from 'node:path';
import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';
import { validateBuildEnvironment } from './lib/build-flags';
import { SECURITY_HEADERS } from './lib/security-headers';

validateBuildEnvironment(process.env);

// The language comes from i18n/request.ts (a cookie or Accept-Language), without locale routing.
// The catalogues are compiled at build time, so the browser gets no message parser.
const withNextIntl = createNextIntlPlugin({
  requestConfig: './i18n/request.ts',
  experimental: {
    messages: { path: './messages', format: 'json', locales: 'infer', precompile: true },
  },
});

const nextConfig: NextConfig = {
  // Run as the generated `server.js` (see docs/KNOWLEDGE.md); tracing from the repository root
  // puts it at `.next/standalone/apps/web/server.js` with the workspace packages beside it.
  output: 'standalone',
  outputFileTracingRoot: path.join(__dirname, '../..'),
  // The flag-variant builds of the test suite go to their own directory.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  // `next dev` logs every request; the API already logs the `/api/*` ones it is proxied.
  logging: { incomingRequests: { ignore: [/^\/api\//] } },
  // `pnpm check` type-checks the whole workspace; doing it again in every build only costs time.
  typescript: { ignoreBuildErrors: true },
  // The page's Content Security Policy, with its nonce, comes from proxy.ts.
  async headers() {
    return [{ source: '/:path*', headers: [...SECURITY_HEADERS] }];
  },
};

export default withNextIntl(nextConfig);
