import { type ScaleChecks, type ScaleFigureName } from './results';

/** The scale workload's figures, in the order they are measured and reported. */
export const SCALE_FIGURES: ScaleFigureName[] = [
  'list',
  'list-later',
  'list-unread',
  'search-ref',
  'search-name',
  'unread',
  'ready',
  'post',
];

const LABELS: Record<ScaleFigureName, string> = {
  list: 'list, first page',
  'list-later': 'list, a later page',
  'list-unread': 'list, unread only',
  'search-ref': 'search, booking ref',
  'search-name': 'search, a name',
  unread: 'GET /chat/unread',
  ready: 'socket ready',
  post: 'post a message',
};

export function scaleFigureLabel(figure: ScaleFigureName): string {
  return LABELS[figure];
}

/** What the checks found wrong, in words (nothing when every listing, search and count held). */
export function checkProblems(size: number, checks: ScaleChecks[]): string[] {
  const at = `at ${size.toLocaleString('en-US')} threads`;
  return checks.flatMap((entry) => {
    const who = entry.viewer === 'staff' ? 'the staff member' : 'the customer';
    const problems: string[] = [];
    const { listing, unreadListing, unread } = entry;
    if (listing.listed !== listing.expected || listing.distinct !== listing.expected) {
      problems.push(
        `${at}, ${who}'s listing showed ${listing.listed} threads (${listing.distinct} distinct) of ${listing.expected}`,
      );
    }
    if (
      unreadListing.listed !== unreadListing.expected ||
      unreadListing.distinct !== unreadListing.expected ||
      unreadListing.unexpected > 0
    ) {
      problems.push(
        `${at}, ${who}'s unread filter showed ${unreadListing.listed} threads (${unreadListing.unexpected} not unread) of ${unreadListing.expected}`,
      );
    }
    if (
      unread.total !== unread.expectedTotal ||
      unread.threads !== unread.expectedThreads ||
      unread.wrong > 0
    ) {
      problems.push(
        `${at}, ${who}'s unread total was ${unread.total} (expected ${unread.expectedTotal}) over ${unread.threads} threads (expected ${unread.expectedThreads}), ${unread.wrong} counts wrong`,
      );
    }
    for (const search of entry.searches) {
      if (search.found !== search.expected || search.unexpected > 0) {
        problems.push(
          `${at}, ${who}'s search "${search.query}" found ${search.found} of ${search.expected} threads (${search.unexpected} that do not match)`,
        );
      }
    }
    return problems;
  });
}
