import { describe, expect, it } from 'vitest';
import { firstLoadJs, ROUTES } from '../scripts/first-load-js.mjs';

/**
 * The thread page's first-load JavaScript before issue 16 (inbox, receipts, three languages,
 * themes), gzipped, as `scripts/first-load-js.mjs` measures it on the build of main at 256e265.
 */
const THREAD_PAGE_BEFORE_BYTES = 253_728;
/** What it may grow by. */
const ALLOWED_GROWTH = 0.1;

describe('first-load JavaScript', () => {
  it(`keeps the thread page within ${ALLOWED_GROWTH * 100} % of ${THREAD_PAGE_BEFORE_BYTES} bytes gzipped`, () => {
    const size = firstLoadJs(ROUTES.thread);
    if (!size) throw new Error('no build in .next: run the build first');
    console.log(
      `thread page first load: ${size.gzip} B gzipped (${((size.gzip / THREAD_PAGE_BEFORE_BYTES - 1) * 100).toFixed(1)} % on ${THREAD_PAGE_BEFORE_BYTES})`,
    );
    expect(size.gzip).toBeLessThanOrEqual(
      Math.floor(THREAD_PAGE_BEFORE_BYTES * (1 + ALLOWED_GROWTH)),
    );
  });
});
