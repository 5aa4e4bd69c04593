import { parseFlag } from './build-flags';

// Each variable is spelled out so that `next build` inlines its value into the bundle.
export const threadsEnabled = parseFlag(
  'NEXT_PUBLIC_THREADS_ENABLED',
  process.env.NEXT_PUBLIC_THREADS_ENABLED,
  true,
);
export const threadHeaderInfoEnabled = parseFlag(
  'NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED',
  process.env.NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED,
  true,
);
/** Set only when the browser must not use the same-origin gateway path (e.g. `pnpm dev`). */
export const configuredWebSocketUrl = process.env.NEXT_PUBLIC_WS_URL ?? '';
