import { describe, expect, it } from 'vitest';
import { type ScaleChecks } from '../src/results';
import { checkProblems } from '../src/scale-figures';
import {
  expectedMatches,
  expectedUnread,
  historyOf,
  POST_THREAD,
  threadId,
} from '../src/workloads/scale-fixture';

describe('the scale recipe', () => {
  it('leaves each viewer unread messages in 7 % of the threads, and the searches a fixed share', () => {
    for (const viewer of ['staff', 'customer'] as const) {
      const unread = expectedUnread(viewer, 100_000);
      expect(unread.size, viewer).toBe(7_000);
      expect(
        [...unread.values()].every((count) => count === 1),
        viewer,
      ).toBe(true);
    }
    // BK-100040 … BK-100049 at every size; the colleague's threads, one in fifty.
    expect(expectedMatches('ref', 1_000).size).toBe(10);
    expect(expectedMatches('ref', 100_000)).toEqual(expectedMatches('ref', 1_000));
    expect(expectedMatches('name', 1_000).size).toBe(20);
    expect(expectedMatches('name', 100_000).size).toBe(2_000);
    expect(historyOf(POST_THREAD)).toEqual([]);
  });
});

function checks(overrides: Partial<ScaleChecks> = {}): ScaleChecks {
  return {
    viewer: 'staff',
    listing: { pages: 10, listed: 1_000, distinct: 1_000, expected: 1_000 },
    unreadListing: { listed: 70, distinct: 70, expected: 70, unexpected: 0 },
    unread: { total: 70, expectedTotal: 70, threads: 70, expectedThreads: 70, wrong: 0 },
    searches: [
      {
        figure: 'search-ref',
        query: 'BK-10004',
        pages: 1,
        found: 10,
        expected: 10,
        unexpected: 0,
        firstPage: 10,
      },
    ],
    ...overrides,
  };
}

describe(checkProblems.name, () => {
  it('is silent when everything held, and names each thing that did not', () => {
    expect(checkProblems(1_000, [checks()])).toEqual([]);
    expect(
      checkProblems(1_000, [
        checks({ listing: { pages: 10, listed: 1_000, distinct: 999, expected: 1_000 } }),
        checks({
          viewer: 'customer',
          unread: { total: 71, expectedTotal: 70, threads: 70, expectedThreads: 70, wrong: 1 },
          searches: [
            {
              figure: 'search-ref',
              query: 'BK-10004',
              pages: 3,
              found: 9,
              expected: 10,
              unexpected: 0,
              firstPage: 0,
            },
          ],
        }),
      ]),
    ).toEqual([
      "at 1,000 threads, the staff member's listing showed 1000 threads (999 distinct) of 1000",
      "at 1,000 threads, the customer's unread total was 71 (expected 70) over 70 threads (expected 70), 1 counts wrong",
      `at 1,000 threads, the customer's search "BK-10004" found 9 of 10 threads (0 that do not match)`,
    ]);
    expect(threadId(7)).toBe('th_scale_b7');
  });
});
