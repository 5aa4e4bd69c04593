import fc from 'fast-check';
import { expectEventually } from '@chat/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConversationListItem,
  type ListConversationsQuery,
  type Role,
  type User,
} from '@chat/protocol';
import { BookingsService } from '../src/modules/bookings/bookings.service';
import { ChatService } from '../src/modules/chat/chat.service';
import { InboxService } from '../src/modules/chat/inbox.service';
import { MessageRepository } from '../src/modules/chat/message.repository';
import { ReadStateRepository } from '../src/modules/chat/read-state.repository';
import { UnreadService } from '../src/modules/chat/unread.service';
import { UsersService } from '../src/modules/users/users.service';
import { type ApiInstance, startApi } from './support/api-instance';
import { ENGINES, useEngine } from './support/engines';

/**
 * The inbox on every engine: paged thread lists that stay stable while messages arrive, their
 * filters and search, and unread counts kept on write that agree with true unread.
 */
describe.each(ENGINES)('inbox on the %s engine', (engineName) => {
  const engine = useEngine(engineName);
  let api: ApiInstance;
  const get = <T>(token: abstract new (...args: never[]) => T): T => api.app.get(token as never);

  beforeEach(async () => {
    await engine.reset();
    api = await startApi({ ...engine.environment(), DEMO_SEED: 'false' });
  });
  afterEach(async () => {
    await api.close();
  });

  const user = (id: string, role: Role, country: string | null, name = id): Promise<User> =>
    get(UsersService).upsert(id, {
      email: `${id}@example.test`,
      name,
      handle: id,
      role,
      country,
    });

  const booking = async (id: string, country: string, creatorId: string, managerId?: string) =>
    (
      await get(BookingsService).upsert(id, {
        ref: `BK-${id}`,
        country,
        creatorId,
        managerId: managerId ?? null,
      })
    ).conversationId;

  let clientId = 0;
  const post = (author: User, conversationId: string, body = 'hello') =>
    get(ChatService).postMessage(author, conversationId, {
      body,
      clientMessageId: `c${++clientId}`,
    });

  const list = (viewer: User, query: Partial<ListConversationsQuery> = {}) =>
    get(InboxService).list(viewer, { scope: 'mine', limit: 30, unread: false, ...query });

  /** Every page of a listing, with `between` run before each page after the first. */
  async function allPages(
    viewer: User,
    query: Partial<ListConversationsQuery>,
    between: (page: number) => Promise<void> = async () => undefined,
  ): Promise<ConversationListItem[][]> {
    const pages: ConversationListItem[][] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      if (page > 0) await between(page);
      const result = await list(viewer, { ...query, ...(cursor ? { cursor } : {}) });
      pages.push(result.conversations);
      if (!result.nextCursor) return pages;
      cursor = result.nextCursor;
    }
    throw new Error('the listing never ended');
  }

  const ids = (items: ConversationListItem[]) => items.map((item) => item.id);

  it('pages a user’s threads by recent activity, 30 by default, with nextCursor null at the end', async () => {
    const amy = await user('amy', 'customer', null);
    const threads: string[] = [];
    for (let index = 0; index < 75; index++) threads.push(await booking(`b${index}`, 'VN', amy.id));
    // Activity: creation order, then a message moves a thread to the top.
    await post(amy, threads[10]!);
    const pages = await allPages(amy, {});
    expect(pages.map((page) => page.length)).toEqual([30, 30, 15]);
    const expected = [threads[10]!, ...[...threads].reverse().filter((id) => id !== threads[10])];
    expect(pages.flatMap(ids)).toEqual(expected);
    expect(pages[0]![0]).toMatchObject({ id: threads[10], lastMessage: { body: 'hello' } });
    expect((await list(amy, { limit: 100 })).conversations).toHaveLength(75);
  });

  it('shows no thread twice and skips none while messages arrive between pages', async () => {
    const amy = await user('amy', 'customer', null);
    const bob = await user('bob', 'staff', 'VN');
    const threads: string[] = [];
    for (let index = 0; index < 90; index++) {
      threads.push(await booking(`b${index}`, 'VN', amy.id, bob.id));
    }
    for (const viewer of [amy, bob]) {
      for (const query of [{}, { scope: 'all' as const }]) {
        let step = 0;
        const pages = await allPages(viewer, { ...query, limit: 20 }, async () => {
          // Threads on pages already seen, and on pages still to come, move to the top.
          for (const index of [3, 17, 40 + step * 7, 89 - step * 5, 60]) {
            await post(step % 2 ? bob : amy, threads[index]!, `move ${step}`);
          }
          step++;
        });
        const seen = pages.flatMap(ids);
        expect(new Set(seen).size).toBe(seen.length);
        expect(new Set(seen)).toEqual(new Set(threads));
      }
    }
  });

  it('filters by unread and by country, composes them, and keeps staff to their country', async () => {
    const amy = await user('amy', 'customer', null);
    const linh = await user('linh', 'staff', 'VN');
    const somchai = await user('somchai', 'staff', 'TH');
    const grace = await user('grace', 'admin', null);
    const vn = [await booking('v1', 'VN', amy.id), await booking('v2', 'VN', amy.id)];
    const th = [await booking('t1', 'TH', amy.id), await booking('t2', 'TH', amy.id)];
    await post(somchai, th[0]!);
    await post(linh, vn[1]!);
    await post(amy, vn[0]!);

    expect(ids((await list(amy, { unread: true })).conversations)).toEqual([vn[1], th[0]]);
    expect(ids((await list(amy, { unread: true, country: 'TH' })).conversations)).toEqual([th[0]]);
    expect(ids((await list(linh, { scope: 'all' })).conversations)).toEqual([vn[0], vn[1]]);
    await expect(list(linh, { scope: 'all', country: 'TH' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(ids((await list(grace, { scope: 'all' })).conversations)).toEqual([
      vn[0],
      vn[1],
      th[0],
      th[1],
    ]);
    expect(ids((await list(grace, { scope: 'all', country: 'TH' })).conversations)).toEqual([
      th[0],
      th[1],
    ]);
    // Reading takes a thread out of the unread filter.
    await get(ChatService).markRead(amy, vn[1]!, 1);
    expect(ids((await list(amy, { unread: true })).conversations)).toEqual([th[0]]);
  });

  it('finds threads by booking ref prefix, title, participant name or handle, ignoring case and accents', async () => {
    const an = await user('annguyen', 'customer', null, 'Nguyễn Văn An');
    const ploy = await user('ploy', 'customer', null, 'พลอย ศรีสุข');
    const linh = await user('linh', 'staff', 'VN', 'Trần Thị Linh');
    const grace = await user('grace', 'admin', null);
    const first = await booking('1001', 'VN', an.id, linh.id);
    const second = await booking('1002', 'VN', an.id);
    const thai = await booking('2001', 'TH', ploy.id);

    const search = async (viewer: User, q: string, scope: 'mine' | 'all' = 'all') =>
      ids((await list(viewer, { scope, q })).conversations).sort();
    expect(await search(grace, 'nguyen')).toEqual([first, second].sort());
    expect(await search(grace, 'NGUYỄN văn')).toEqual([first, second].sort());
    expect(await search(grace, 'tran')).toEqual([first]);
    expect(await search(grace, 'bk-100')).toEqual([first, second].sort());
    expect(await search(grace, 'BK-1001')).toEqual([first]);
    expect(await search(grace, 'booking 2001')).toEqual([thai]);
    expect(await search(grace, 'พลอย')).toEqual([thai]);
    expect(await search(grace, 'ANNGUY')).toEqual([first, second].sort());
    expect(await search(grace, 'nobody')).toEqual([]);
    // Search stays within what the viewer may list, and composes with the other filters.
    expect(await search(linh, 'bk')).toEqual([first, second].sort());
    expect(await search(an, 'bk', 'mine')).toEqual([first, second].sort());
    await post(linh, second);
    expect(ids((await list(an, { q: 'bk', unread: true })).conversations)).toEqual([second]);
    // A renamed participant is found by the new name only.
    await get(UsersService).upsert(an.id, {
      email: `${an.id}@example.test`,
      name: 'Lê Văn An',
      handle: an.handle,
      role: 'customer',
      country: null,
    });
    expect(await search(grace, 'nguyen')).toEqual([]);
    expect(await search(grace, 'le van')).toEqual([first, second].sort());
  });

  it('pages search results and unread threads like any listing', async () => {
    const amy = await user('amy', 'customer', null);
    const bob = await user('bob', 'staff', 'VN');
    const threads: string[] = [];
    for (let index = 0; index < 45; index++) threads.push(await booking(`b${index}`, 'VN', amy.id));
    for (const thread of threads) await post(bob, thread);
    for (const query of [{ q: 'bk' }, { unread: true }]) {
      const pages = await allPages(amy, { ...query, limit: 20 });
      expect(pages.map((page) => page.length)).toEqual([20, 20, 5]);
      expect(pages.flatMap(ids)).toEqual([...threads].reverse());
    }
  });

  it('answers unread with the total and the 100 most recent threads with unread messages', async () => {
    const amy = await user('amy', 'customer', null);
    const bob = await user('bob', 'staff', 'VN');
    const threads: string[] = [];
    for (let index = 0; index < 105; index++)
      threads.push(await booking(`b${index}`, 'VN', amy.id));
    for (const thread of threads) await post(bob, thread);
    const unread = await get(UnreadService).ofUser(amy.id);
    expect(unread.total).toBe(105);
    expect(unread.hasMore).toBe(true);
    expect(Object.keys(unread.conversations).sort()).toEqual(threads.slice(5).sort());
  });

  it('takes a participant who may no longer open a thread out of it, with their unread', async () => {
    const amy = await user('amy', 'customer', null);
    const linh = await user('linh', 'staff', 'VN');
    const thread = await booking('b1', 'VN', amy.id, linh.id);
    await post(amy, thread);
    expect(await get(UnreadService).ofUser(linh.id)).toEqual({
      total: 1,
      conversations: { [thread]: 1 },
      hasMore: false,
    });
    await get(UsersService).upsert(linh.id, {
      email: 'linh@example.test',
      name: 'linh',
      handle: 'linh',
      role: 'staff',
      country: 'TH',
    });
    expect(await get(UnreadService).ofUser(linh.id)).toEqual({
      total: 0,
      conversations: {},
      hasMore: false,
    });
    expect((await list({ ...linh, country: 'TH' })).conversations).toEqual([]);
  });

  it('keeps unread counts on write that agree with true unread, on random histories', async () => {
    const people = [
      await user('amy', 'customer', null),
      await user('linh', 'staff', 'VN'),
      await user('vu', 'staff', 'VN'),
    ];
    const threads = [
      await booking('b1', 'VN', 'amy', 'linh'),
      await booking('b2', 'VN', 'amy'),
      await booking('b3', 'VN', 'amy', 'vu'),
    ];
    const messages = get(MessageRepository);
    const readState = get(ReadStateRepository);
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('post' as const), who: fc.nat(2), thread: fc.nat(2) }),
      fc.record({
        kind: fc.constant('read' as const),
        who: fc.nat(2),
        thread: fc.nat(2),
        seq: fc.nat(40),
      }),
      fc.record({ kind: fc.constant('join' as const), who: fc.nat(2), thread: fc.nat(2) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        for (const step of operations) {
          const who = people[step.who]!;
          const thread = threads[step.thread]!;
          // Staff post and read as participants: they join (as opening the thread does).
          if (step.kind === 'post') await post(who, thread);
          else if (step.kind === 'read' && who.role !== 'customer') {
            await get(ChatService).markRead(who, thread, step.seq);
          } else if (step.kind === 'read') {
            await get(ChatService)
              .markRead(who, thread, step.seq)
              .catch(() => undefined);
          } else if (who.role !== 'customer') {
            await get(ChatService).openConversation(who, thread, { join: true });
          }
        }
        // Every copy follows within a second of the last change (decision 0020).
        await expectEventually(() => agreeWithTrueUnread(), { timeoutMs: 3_000 });
      }),
      { numRuns: engineName === 'memory' ? 40 : 15 },
    );

    async function agreeWithTrueUnread(): Promise<void> {
      for (const person of people) {
        // True unread, from the log and the read markers, over the threads they take part in.
        const expected: Record<string, number> = {};
        let total = 0;
        for (const thread of threads) {
          const participants = await get(ChatService)
            .header(person, thread)
            .then((header) => header.participants.map((participant) => participant.id))
            .catch((): string[] => []);
          if (!participants.includes(person.id)) continue;
          const marker = await readState.get(person.id, thread);
          const log = await messages.range(thread, 1, await messages.lastSeq(thread));
          const count = log.filter(
            (message) => message.seq > marker && message.author.id !== person.id,
          ).length;
          if (count) expected[thread] = count;
          total += count;
        }
        expect(await get(UnreadService).ofUser(person.id)).toEqual({
          total,
          conversations: expected,
          hasMore: false,
        });
        expect(await get(UnreadService).total(person.id)).toBe(total);
      }
    }
  });
});
