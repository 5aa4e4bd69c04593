import { SESSION_COOKIE, UNREAD_CONVERSATIONS_MAX } from '@chat/protocol';
import { call } from '../contenders/api-contender';
import { BENCH_ORIGIN } from '../contenders/contender';
import { LatencyHistogram } from '../histogram';
import { ForeignCpuMeter, loadAverage } from '../infra/process-stats';
import { type ProbeCommand } from '../load/ipc';
import { WorkerPool } from '../load/pool';
import {
  type ScaleChecks,
  type ScaleFigure,
  type ScaleFigureName,
  type ScaleResult,
  type ScaleStep,
  type ScaleViewer,
} from '../results';
import { checkProblems, SCALE_FIGURES, scaleFigureLabel } from '../scale-figures';
import { profileCpu, type RunContext } from './context';
import {
  expectedMatches,
  expectedUnread,
  POST_THREAD,
  SCALE_QUERIES,
  ScaleFixture,
  sessionCookie,
  threadId,
} from './scale-fixture';

/** Threads per page in the measured listings (the API's default). */
const PAGE_SIZE = 30;
/** Threads per page while a check pages through a whole listing. */
const CHECK_PAGE_SIZE = 100;
const VIEWERS: ScaleViewer[] = ['staff', 'customer'];

interface ListPage {
  conversations: Array<{ id: string }>;
  nextCursor: string | null;
}

/**
 * A viewer's listing: for the staff member every thread of their country (`scope=all`), for the
 * customer their own. `readable` leaves the values unencoded, for the report.
 */
function listQuery(
  viewer: ScaleViewer,
  extra: Record<string, string> = {},
  readable = false,
): string {
  const parameters = { scope: viewer === 'staff' ? 'all' : 'mine', ...extra };
  const query = readable
    ? Object.entries(parameters)
        .map(([name, value]) => `${name}=${value}`)
        .join('&')
    : new URLSearchParams(parameters).toString();
  return `/api/chat/conversations?${query}`;
}

/**
 * Inbox at scale: one staff member and one customer who can each see 1,000, then 10,000, then
 * 100,000 threads in one growing Redis. At each size: checks that the listings, searches and
 * counts hold exactly what was made, then sequential samples of each figure for both.
 */
export async function runScale(context: RunContext): Promise<ScaleResult> {
  const parameters = context.profile.scale;
  const progress = context.progress;
  const fixture = new ScaleFixture(parameters, progress, context.profileDir !== null);
  const pool = WorkerPool.start(1);
  const result: ScaleResult = { queries: { ...SCALE_QUERIES }, steps: [] };
  try {
    for (const size of parameters.sizes) {
      const build = await fixture.reach(size);
      const sizeText = `${size.toLocaleString('en-US')} threads`;
      progress.log(
        build.source === 'cache'
          ? `scale: ${sizeText} loaded from bench/.cache/ in ${build.seconds.toFixed(1)} s`
          : `scale: ${sizeText} made in ${build.seconds.toFixed(1)} s (${build.bookings} bookings, ${build.posts} posts, ${build.reads} reads)`,
      );
      const redisMemoryBytes = await fixture.redisMemoryBytes();
      progress.update(`scale: ${sizeText}: checking listings, searches and counts`);
      const checks: ScaleChecks[] = [];
      for (const viewer of VIEWERS) checks.push(await check(fixture, viewer, size));

      await context.waitQuiet(`scale ${sizeText}`, () => [...fixture.api.pids(), ...pool.pids]);
      const foreignCpu = new ForeignCpuMeter(() => [...fixture.api.pids(), ...pool.pids]);
      foreignCpu.begin();
      const figures: ScaleFigure[] = [];
      for (const figure of SCALE_FIGURES) {
        // With --profile: one CPU profile of the measured instance per figure and size.
        const stopProfile = await profileCpu(context, fixture.api, `scale-${size}-${figure}`, [0]);
        try {
          for (const viewer of VIEWERS) {
            progress.update(`scale: ${sizeText}: ${scaleFigureLabel(figure)} (${viewer})`);
            figures.push(await measure(fixture, pool, context, figure, viewer));
          }
        } finally {
          await stopProfile();
        }
      }
      // The post figure's messages leave no unread behind: both read the thread to its end.
      for (const viewer of VIEWERS) {
        await call(`${fixture.origin()}/api/chat/conversations/${threadId(POST_THREAD)}/read`, {
          method: 'POST',
          headers: {
            cookie: sessionCookie(fixture.session(viewer)),
            'content-type': 'application/json',
          },
          body: JSON.stringify({ seq: 1_000_000_000 }),
          expect: [204],
        });
      }
      for (const entry of figures) {
        const unexpected = Object.keys(entry.statuses).filter(
          (status) =>
            status !==
            (entry.figure === 'post' ? '201' : entry.figure === 'ready' ? 'ready' : '200'),
        );
        if (unexpected.length) {
          context.notes.push(
            `scale: at ${sizeText}, ${scaleFigureLabel(entry.figure)} (${entry.viewer}) answered ${JSON.stringify(entry.statuses)}`,
          );
        }
      }
      for (const problem of checkProblems(size, checks)) context.notes.push(`scale: ${problem}`);
      const step: ScaleStep = {
        threads: size,
        build,
        redisMemoryBytes,
        checks,
        figures,
        loadAverage: loadAverage()[0],
        foreignCpuPercent: foreignCpu.end(),
      };
      result.steps.push(step);
      progress.log(`scale: ${sizeText}: ${summaryLine(step)}`);
    }
  } finally {
    await pool.close();
    await fixture.close();
  }
  return result;
}

function summaryLine(step: ScaleStep): string {
  const p99 = (figure: ScaleFigureName) =>
    VIEWERS.map(
      (viewer) =>
        step.figures.find((entry) => entry.figure === figure && entry.viewer === viewer)?.latencyMs
          .p99 ?? 0,
    )
      .map((value) => value.toFixed(1))
      .join('/');
  return `p99 (staff/customer, ms): list ${p99('list')}, later page ${p99('list-later')}, search ${p99('search-ref')} and ${p99('search-name')}, unread ${p99('unread')}, ready ${p99('ready')}, post ${p99('post')}`;
}

async function getJson<T>(fixture: ScaleFixture, viewer: ScaleViewer, path: string): Promise<T> {
  const response = await call(`${fixture.origin()}${path}`, {
    headers: { cookie: sessionCookie(fixture.session(viewer)) },
  });
  return (await response.json()) as T;
}

/** Every page of a listing: the ids in order, and how many pages it took. */
async function allPages(
  fixture: ScaleFixture,
  viewer: ScaleViewer,
  extra: Record<string, string>,
): Promise<{ ids: string[]; pages: number; firstPage: number }> {
  const ids: string[] = [];
  let pages = 0;
  let firstPage = 0;
  let cursor: string | null = null;
  do {
    const page: ListPage = await getJson<ListPage>(
      fixture,
      viewer,
      listQuery(viewer, { ...extra, ...(cursor ? { cursor } : {}) }),
    );
    if (pages === 0) firstPage = page.conversations.length;
    pages += 1;
    ids.push(...page.conversations.map((conversation) => conversation.id));
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, pages, firstPage };
}

function compare(listed: string[], expected: Set<string>) {
  const distinct = new Set(listed);
  return {
    listed: listed.length,
    distinct: distinct.size,
    expected: expected.size,
    unexpected: [...distinct].filter((id) => !expected.has(id)).length,
  };
}

/** What `viewer`'s whole listing, unread filter, searches and counts hold, against the recipe. */
async function check(
  fixture: ScaleFixture,
  viewer: ScaleViewer,
  size: number,
): Promise<ScaleChecks> {
  const limit = String(CHECK_PAGE_SIZE);
  const listing = await allPages(fixture, viewer, { limit });
  const unreadExpected = expectedUnread(viewer, size);
  const unreadListing = await allPages(fixture, viewer, { limit, unread: 'true' });
  const unread = await getJson<{ total: number; conversations: Record<string, number> }>(
    fixture,
    viewer,
    '/api/chat/unread',
  );
  const reported = Object.entries(unread.conversations);
  const searches: ScaleChecks['searches'] = [];
  for (const [figure, query] of [
    ['search-ref', 'ref'],
    ['search-name', 'name'],
  ] as const) {
    const found = await allPages(fixture, viewer, {
      limit: String(PAGE_SIZE),
      q: SCALE_QUERIES[query],
    });
    const { distinct, expected, unexpected } = compare(found.ids, expectedMatches(query, size));
    searches.push({
      figure,
      query: SCALE_QUERIES[query],
      pages: found.pages,
      found: distinct,
      expected,
      unexpected,
      firstPage: found.firstPage,
    });
  }
  return {
    viewer,
    listing: {
      pages: listing.pages,
      listed: listing.ids.length,
      distinct: new Set(listing.ids).size,
      expected: size,
    },
    unreadListing: compare(unreadListing.ids, new Set(unreadExpected.keys())),
    unread: {
      total: unread.total,
      expectedTotal: [...unreadExpected.values()].reduce((sum, count) => sum + count, 0),
      threads: reported.length,
      // The route answers the most recent threads with unread messages, at most this many.
      expectedThreads: Math.min(unreadExpected.size, UNREAD_CONVERSATIONS_MAX),
      wrong: reported.filter(([id, count]) => unreadExpected.get(id) !== count).length,
    },
    searches,
  };
}

/** Where `figure` is sent for `viewer`, as the probe needs it and as the report names it. */
async function target(
  fixture: ScaleFixture,
  context: RunContext,
  figure: ScaleFigureName,
  viewer: ScaleViewer,
): Promise<{ kind: ProbeCommand['kind']; url: string; request: string; threads: number | null }> {
  const origin = fixture.origin();
  const limit = String(PAGE_SIZE);
  const listing = async (
    extra: Record<string, string>,
    shown = listQuery(viewer, { limit, ...extra }),
  ) => {
    const path = listQuery(viewer, { limit, ...extra });
    const page = await getJson<ListPage>(fixture, viewer, path);
    return {
      kind: 'get' as const,
      url: `${origin}${path}`,
      request: `GET ${shown}`,
      threads: page.conversations.length,
    };
  };
  switch (figure) {
    case 'list':
      return listing({});
    case 'list-later': {
      // The cursor of page `laterPage`, from the pages before it.
      const pageNumber = context.profile.scale.laterPage;
      let cursor: string | null = null;
      for (let page = 1; page < pageNumber; page++) {
        const answer: ListPage = await getJson<ListPage>(
          fixture,
          viewer,
          listQuery(viewer, { limit, ...(cursor ? { cursor } : {}) }),
        );
        cursor = answer.nextCursor;
        if (!cursor) throw new Error(`the listing ends before page ${pageNumber}`);
      }
      return listing(
        { cursor: cursor! },
        `${listQuery(viewer, { limit })}&cursor=(page ${pageNumber})`,
      );
    }
    case 'list-unread':
      return listing({ unread: 'true' });
    case 'search-ref':
      return listing({ q: SCALE_QUERIES.ref });
    case 'search-name':
      return listing({ q: SCALE_QUERIES.name });
    case 'unread':
      return {
        kind: 'get',
        url: `${origin}/api/chat/unread`,
        request: 'GET /api/chat/unread',
        threads: null,
      };
    case 'ready':
      return {
        kind: 'ready',
        url: fixture.api.endpoints[0]!,
        request: 'GET /ws/chat (upgrade), until the ready frame',
        threads: null,
      };
    case 'post': {
      const path = `/api/chat/conversations/${threadId(POST_THREAD)}/messages`;
      return { kind: 'post', url: `${origin}${path}`, request: `POST ${path}`, threads: null };
    }
  }
}

async function measure(
  fixture: ScaleFixture,
  pool: WorkerPool,
  context: RunContext,
  figure: ScaleFigureName,
  viewer: ScaleViewer,
): Promise<ScaleFigure> {
  const { kind, url, request, threads } = await target(fixture, context, figure, viewer);
  const parameters = context.profile.scale;
  const measured = await pool.probe({
    type: 'probe',
    kind,
    url,
    session: fixture.session(viewer),
    cookieName: SESSION_COOKIE,
    origin: BENCH_ORIGIN,
    samples: parameters.samples,
    warmup: parameters.warmup,
    timeoutMs: 30_000,
  });
  return {
    figure,
    viewer,
    request,
    latencyMs: LatencyHistogram.from([measured.latency]).summary(),
    bytes: measured.bytes.max,
    threads,
    statuses: measured.statuses,
  };
}
