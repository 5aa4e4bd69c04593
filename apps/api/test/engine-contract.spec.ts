import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Message } from '@chat/protocol';
import { RoomHub } from '../src/modules/realtime/delivery/room-hub';
import { type RoomDelivery, rooms } from '../src/modules/realtime/delivery/room-events';
import { SessionRepository } from '../src/modules/auth/session.repository';
import { BookingRepository } from '../src/modules/bookings/booking.repository';
import { ConversationRepository } from '../src/modules/chat/conversation.repository';
import { type InboxIndex, InboxRepository } from '../src/modules/chat/inbox.repository';
import { type MessageDraft, MessageRepository } from '../src/modules/chat/message.repository';
import { ReadStateRepository } from '../src/modules/chat/read-state.repository';
import { NotificationRepository } from '../src/modules/notifications/notification.repository';
import { PresenceRepository } from '../src/modules/presence/presence.repository';
import { type UserRecord, UserRepository } from '../src/modules/users/user.repository';
import { type ApiInstance, startApi } from './support/api-instance';
import { ENGINES, useEngine } from './support/engines';
import { expectEventually } from '@chat/test-support';

/** One contract per port, run against every engine. */
describe.each(ENGINES)('repository contracts on the %s engine', (engineName) => {
  const engine = useEngine(engineName);
  let api: ApiInstance;
  const port = <T>(token: abstract new (...args: never[]) => T): T => api.app.get(token as never);

  // A fresh store for every test: a new process-local engine, or a flushed Redis.
  beforeEach(async () => {
    await engine.reset();
    api = await startApi({ ...engine.environment(), DEMO_SEED: 'false' });
  });
  afterEach(async () => {
    await api.close();
  });

  const conversationC1 = {
    id: 'c1',
    bookingId: 'b1',
    bookingRef: 'BK-1',
    country: 'VN',
    title: 'Booking BK-1',
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  const user = (id: string, overrides: Partial<UserRecord> = {}): UserRecord => ({
    id,
    email: `${id}@example.test`,
    name: id,
    handle: id,
    role: 'customer',
    country: 'VN',
    passwordHash: null,
    ...overrides,
  });

  describe('UserRepository', () => {
    it('finds users by id, email and handle and keeps email and handle unique', async () => {
      const sut = port(UserRepository);
      expect(await sut.upsert(user('u1'))).toEqual({ conflict: null });
      expect(await sut.upsert(user('u2'))).toEqual({ conflict: null });
      expect((await sut.findByEmail('u1@example.test'))?.id).toBe('u1');
      expect((await sut.findByHandle('u2'))?.id).toBe('u2');
      expect(await sut.upsert(user('u3', { email: 'u1@example.test' }))).toEqual({
        conflict: 'email',
      });
      expect(await sut.upsert(user('u3', { handle: 'u1' }))).toEqual({ conflict: 'handle' });
      expect(await sut.findById('u3')).toBeNull();

      // Renaming frees the old email and handle.
      expect(
        await sut.upsert(user('u1', { email: 'new@example.test', handle: 'renamed' })),
      ).toEqual({ conflict: null });
      expect(await sut.findByEmail('u1@example.test')).toBeNull();
      expect(await sut.findByHandle('u1')).toBeNull();
      expect((await sut.findByHandle('renamed'))?.email).toBe('new@example.test');
      expect((await sut.findByIds(['u2', 'missing', 'u1'])).map((found) => found.id)).toEqual([
        'u2',
        'u1',
      ]);
    });
  });

  describe('UserRepository.replacePasswordHash', () => {
    it('replaces the hash only while it is the one expected', async () => {
      const sut = port(UserRepository);
      await sut.upsert(user('u1', { passwordHash: 'old' }));
      expect(await sut.replacePasswordHash('u1', 'stale', 'new')).toBe(false);
      expect((await sut.findById('u1'))?.passwordHash).toBe('old');
      expect(await sut.replacePasswordHash('u1', 'old', 'new')).toBe(true);
      expect(await sut.findById('u1')).toEqual(user('u1', { passwordHash: 'new' }));
      expect(await sut.replacePasswordHash('nobody', 'old', 'new')).toBe(false);
    });
  });

  describe('SessionRepository', () => {
    const session = (userId: string, lifetimeMs = 3_600_000) => ({
      userId,
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
      touchedAt: new Date().toISOString(),
    });

    it('creates, finds, revokes and expires sessions', async () => {
      const sut = port(SessionRepository);
      const first = session('u1');
      await sut.create('key-1', first, 60);
      expect(await sut.find('key-1')).toEqual(first);
      expect(await sut.revoke('key-1', 'u1')).toBe(true);
      expect(await sut.revoke('key-1', 'u1')).toBe(false);
      expect(await sut.find('key-1')).toBeNull();

      await sut.create('key-2', session('u1'), 1);
      await expectEventually(async () => expect(await sut.find('key-2')).toBeNull(), {
        timeoutMs: 3_000,
      });
    });

    it('pushes the time to live back on a touch, and never revives an ended session', async () => {
      const sut = port(SessionRepository);
      const touched = { ...session('u1'), touchedAt: '2030-01-01T00:00:00.000Z' };
      await sut.create('key-1', session('u1'), 1);
      await sut.touch('key-1', touched, 60);
      expect(await sut.find('key-1')).toEqual(touched);
      await expectEventually(async () => expect(await sut.find('key-1')).not.toBeNull(), {
        timeoutMs: 1_500,
      });
      await sut.revoke('key-1', 'u1');
      await sut.touch('key-1', touched, 60);
      expect(await sut.find('key-1')).toBeNull();
    });

    it("ends every session of one user and no one else's", async () => {
      const sut = port(SessionRepository);
      await sut.create('a-1', session('u-a'), 60);
      await sut.create('a-2', session('u-a'), 60);
      await sut.create('a-3', session('u-a'), 60);
      await sut.create('b-1', session('u-b'), 60);
      await sut.revoke('a-3', 'u-a');
      expect((await sut.revokeAllOf('u-a')).sort()).toEqual(['a-1', 'a-2']);
      expect(await sut.find('a-1')).toBeNull();
      expect(await sut.find('a-2')).toBeNull();
      expect(await sut.find('b-1')).not.toBeNull();
      expect(await sut.revokeAllOf('u-a')).toEqual([]);
      expect(await sut.revokeAllOf('nobody')).toEqual([]);
    });
  });

  describe('BookingRepository', () => {
    it('upserts bookings', async () => {
      const sut = port(BookingRepository);
      await sut.upsert({ id: 'b1', ref: 'BK-1', country: 'VN', creatorId: 'u1', managerId: null });
      await sut.upsert({ id: 'b1', ref: 'BK-1', country: 'TH', creatorId: 'u1', managerId: 'u2' });
      expect(await sut.findById('b1')).toEqual({
        id: 'b1',
        ref: 'BK-1',
        country: 'TH',
        creatorId: 'u1',
        managerId: 'u2',
      });
      expect(await sut.findById('b2')).toBeNull();
    });

    it('keeps a booking’s details as given, and drops them when an upsert has none', async () => {
      const sut = port(BookingRepository);
      const details = {
        name: 'Riverside Homestay',
        startDate: '2026-03-12',
        endDate: '2026-03-15',
        guests: 2,
        status: 'confirmed' as const,
      };
      const base = { id: 'b1', ref: 'BK-1', country: 'VN', creatorId: 'u1', managerId: null };
      await sut.upsert({ ...base, details });
      expect(await sut.findById('b1')).toEqual({ ...base, details });
      await sut.upsert(base);
      expect(await sut.findById('b1')).toEqual(base);
    });
  });

  describe('ConversationRepository', () => {
    const conversation = (id: string, country: string, createdAt = '2026-01-01T00:00:00.000Z') => ({
      id,
      bookingId: `b-${id}`,
      bookingRef: `BK-${id}`,
      country,
      title: `Booking BK-${id}`,
      createdAt,
    });

    it('indexes conversations by country and moves them when the country changes', async () => {
      const sut = port(ConversationRepository);
      const inbox = port(InboxRepository);
      const listed = async (index: InboxIndex) =>
        (await inbox.before(index, Number.POSITIVE_INFINITY, 10)).map(
          (entry) => entry.conversationId,
        );
      await sut.save(conversation('c1', 'VN'), ['one']);
      await sut.save(conversation('c2', 'TH'), ['two']);
      // Newest first: a conversation takes the next activity when it is created.
      expect(await listed({ kind: 'all' })).toEqual(['c2', 'c1']);
      expect(await listed({ kind: 'country', country: 'VN' })).toEqual(['c1']);

      await sut.save(conversation('c1', 'TH', '2030-01-01T00:00:00.000Z'), ['one']);
      expect(await listed({ kind: 'country', country: 'VN' })).toEqual([]);
      expect(await listed({ kind: 'country', country: 'TH' })).toEqual(['c2', 'c1']);
      expect(await inbox.search({ country: 'TH' }, 'on', 10)).toEqual(['c1']);
      expect(await inbox.search({ country: 'VN' }, 'on', 10)).toEqual([]);
      // The first creation time is kept.
      expect((await sut.findById('c1'))?.createdAt).toBe('2026-01-01T00:00:00.000Z');
      expect((await sut.findByIds(['c2', 'nope'])).map((found) => found.id)).toEqual(['c2']);
    });

    it('keeps participants in join order and adds each once', async () => {
      const sut = port(ConversationRepository);
      await sut.save(conversation('c1', 'VN'), []);
      for (const userId of ['zed', 'amy', 'kim'])
        expect(await sut.addParticipant('c1', userId)).toBe(true);
      expect(await sut.addParticipant('c1', 'amy')).toBe(false);
      expect(await sut.listParticipants('c1')).toEqual(['zed', 'amy', 'kim']);
      expect(await sut.isParticipant('c1', 'kim')).toBe(true);
      expect(await sut.isParticipant('c1', 'bob')).toBe(false);
      expect(await sut.listForUser('amy')).toEqual(['c1']);
      expect(await sut.listForUser('nobody')).toEqual([]);
      expect(await sut.removeParticipant('c1', 'amy')).toBe(true);
      expect(await sut.listParticipants('c1')).toEqual(['zed', 'kim']);
      expect(await sut.listForUser('amy')).toEqual([]);
      expect(await sut.addParticipant('c1', 'amy')).toBe(true);
      expect(await sut.listParticipants('c1')).toEqual(['zed', 'kim', 'amy']);
    });
  });

  describe('MessageRepository', () => {
    const draft = (authorId: string, body: string): MessageDraft => ({
      id: `${authorId}-${body}`,
      conversationId: 'c1',
      author: { id: authorId, name: authorId, handle: authorId, role: 'customer' },
      body,
      mentions: [],
      createdAt: '2026-01-01T00:00:00.000Z',
    });

    beforeEach(async () => {
      await port(ConversationRepository).save(conversationC1, []);
    });

    it('assigns gapless seqs, stores once per (author, clientMessageId) and reads ranges', async () => {
      const sut = port(MessageRepository);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          sut.append(draft('amy', `m${index}`), `cm-${index}`),
        ),
      );
      expect(results.map((result) => result.message.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, index) => index + 1),
      );
      const again = await sut.append(draft('amy', 'something else'), 'cm-7');
      expect(again.created).toBe(false);
      expect(again.message).toEqual(results[7]!.message);
      // The same client id from another author is another message.
      const other = await sut.append(draft('bob', 'hello'), 'cm-7');
      expect(other).toMatchObject({ created: true, message: { seq: 51 } });

      expect(await sut.lastSeq('c1')).toBe(51);
      expect(await sut.lastSeqs(['c1', 'empty'])).toEqual(
        new Map([
          ['c1', 51],
          ['empty', 0],
        ]),
      );
      const range: Message[] = await sut.range('c1', 49, 60);
      expect(range.map((message) => message.seq)).toEqual([49, 50, 51]);
      expect(await sut.range('c1', 5, 4)).toEqual([]);
      expect(await sut.range('empty', 1, 10)).toEqual([]);
      expect(range[2]).toEqual({ ...draft('bob', 'hello'), seq: 51 });
      expect(await sut.lastMessages(['c1', 'empty'])).toEqual(new Map([['c1', range[2]]]));
    });

    it('announces a created message to its room in the same step, in seq order, and a retry never', async () => {
      const sut = port(MessageRepository);
      const hub = port(RoomHub);
      const heard: RoomDelivery[] = [];
      await hub.join(rooms.conversation('c1'), { receive: (delivery) => heard.push(delivery) });
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          sut.append(draft('amy', `m${index}`), `cm-${index}`),
        ),
      );
      // A retry publishes nothing; seq 21 shows what came before.
      await sut.append(draft('amy', 'retried'), 'cm-3');
      const last = await sut.append(draft('bob', 'last'), 'cm-last');
      expect(last.message.seq).toBe(21);
      await expectEventually(() => expect(heard).toHaveLength(21));
      const bySeq = created.map(({ message }) => message).sort((a, b) => a.seq - b.seq);
      // Each announcement is the message's finished `message.new` frame, with its seq beside it.
      expect(
        heard.map((delivery) =>
          delivery.kind === 'message'
            ? { seq: delivery.seq, frame: JSON.parse(delivery.frame.toString()) as unknown }
            : delivery,
        ),
      ).toEqual(
        [...bySeq, last.message].map((message) => ({
          seq: message.seq,
          frame: { event: 'message.new', data: { conversationId: 'c1', message } },
        })),
      );
    });
  });

  describe('ReadStateRepository', () => {
    it('only moves read markers forward, never past the last message', async () => {
      const sut = port(ReadStateRepository);
      const conversations = port(ConversationRepository);
      await conversations.save(conversationC1, []);
      await conversations.addParticipant('c1', 'amy');
      for (let index = 0; index < 6; index++) {
        await port(MessageRepository).append(
          {
            id: `m${index}`,
            conversationId: 'c1',
            author: { id: 'bob', name: 'bob', handle: 'bob', role: 'staff' },
            body: `m${index}`,
            mentions: [],
            createdAt: '2026-01-01T00:00:00.000Z',
          },
          `cm-${index}`,
        );
      }
      expect(await sut.get('amy', 'c1')).toBe(0);
      expect(await sut.advance('amy', 'c1', 5)).toEqual({ marker: 5, count: 1, total: 1 });
      expect(await sut.advance('amy', 'c1', 3)).toEqual({ marker: 5, count: 1, total: 1 });
      expect(await sut.advance('amy', 'c1', 99)).toEqual({ marker: 6, count: 0, total: 0 });
      expect(await sut.get('amy', 'c1')).toBe(6);
      expect(await sut.advance('amy', 'c2', 1)).toMatchObject({ marker: 0 });
    });
  });

  describe('PresenceRepository', () => {
    it('reserves a place among a user’s connections atomically, up to the cap', async () => {
      const sut = port(PresenceRepository);
      const attempts = Array.from({ length: 12 }, (_, index) =>
        sut.reserve({ userId: 'amy', connectionId: `c${index}` }, 60_000, 5),
      );
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((outcome) => outcome.reserved)).toHaveLength(5);
      expect(outcomes.filter((outcome) => outcome.cameOnline)).toHaveLength(1);
      expect(await sut.onlineUserIds(['amy', 'bob'])).toEqual(new Set(['amy']));
      const reservedIndex = outcomes.findIndex((outcome) => outcome.reserved);
      await sut.remove({ userId: 'amy', connectionId: `c${reservedIndex}` });
      expect(await sut.reserve({ userId: 'amy', connectionId: 'late' }, 60_000, 5)).toEqual({
        reserved: true,
        cameOnline: false,
      });
      expect((await sut.reserve({ userId: 'amy', connectionId: 'over' }, 60_000, 5)).reserved).toBe(
        false,
      );
      // Expired places are free again.
      expect(await sut.reserve({ userId: 'cy', connectionId: 'short' }, 50, 1)).toEqual({
        reserved: true,
        cameOnline: true,
      });
      await expectEventually(async () =>
        expect(
          (await sut.reserve({ userId: 'cy', connectionId: 'next' }, 60_000, 1)).reserved,
        ).toBe(true),
      );
    });
  });

  describe('NotificationRepository', () => {
    it('pages newest first, counts unread and marks read only for the owner', async () => {
      const sut = port(NotificationRepository);
      const notification = (id: string, title: string, body: string | null = null) => ({
        id,
        type: 'system',
        title,
        body,
        link: body ? '/x' : null,
        createdAt: '2026-01-01T00:00:00.000Z',
        readAt: null,
      });
      const created = Array.from({ length: 5 }, (_, index) =>
        notification(`n${index + 1}`, `t${index + 1}`, index === 0 ? null : 'b'),
      );
      for (const item of created) await sut.create('amy', item);
      await sut.create('bob', notification('nb', 'for bob', 'b'));
      const first = await sut.page('amy', { limit: 2 });
      expect(first?.notifications.map((item) => item.title)).toEqual(['t5', 't4']);
      expect(first?.hasMore).toBe(true);
      const last = await sut.page('amy', { before: created[1]!.id, limit: 10 });
      expect(last).toEqual({ notifications: [created[0]], hasMore: false });
      expect(await sut.page('amy', { before: 'unknown', limit: 2 })).toBeNull();

      expect(await sut.unreadCount('amy')).toBe(5);
      expect(await sut.markRead('bob', created[0]!.id)).toBeNull();
      expect(await sut.markRead('amy', created[0]!.id)).toBe(true);
      expect(await sut.markRead('amy', created[0]!.id)).toBe(false);
      expect(await sut.unreadCount('amy')).toBe(4);
      expect(await sut.markAllRead('amy')).toBe(4);
      expect(await sut.markAllRead('amy')).toBe(0);
      expect(await sut.unreadCount('amy')).toBe(0);
      expect(await sut.unreadCount('bob')).toBe(1);
      const page = await sut.page('amy', { limit: 10 });
      expect(page?.notifications.every((item) => item.readAt !== null)).toBe(true);
    });

    it('pages the unread notifications alone, newest first', async () => {
      const sut = port(NotificationRepository);
      for (let index = 1; index <= 250; index += 1) {
        await sut.create('amy', {
          id: `n${index}`,
          type: 'system',
          title: `t${index}`,
          body: null,
          link: null,
          createdAt: '2026-01-01T00:00:00.000Z',
          readAt: null,
        });
      }
      // Only n1, n2 and n250 stay unread: a page must look past many read ones.
      for (let index = 3; index <= 249; index += 1) await sut.markRead('amy', `n${index}`);
      const first = await sut.page('amy', { limit: 2, unread: true });
      expect(first?.notifications.map((item) => item.id)).toEqual(['n250', 'n2']);
      expect(first?.hasMore).toBe(true);
      const rest = await sut.page('amy', { limit: 2, unread: true, before: 'n2' });
      expect(rest?.notifications.map((item) => item.id)).toEqual(['n1']);
      expect(rest?.hasMore).toBe(false);
    });

    it('marks read the notifications that point at messages a reader has now read', async () => {
      const sut = port(NotificationRepository);
      const mention = (id: string) => ({
        id,
        type: 'mention',
        title: id,
        body: null,
        link: '/threads/th_1',
        createdAt: '2026-01-01T00:00:00.000Z',
        readAt: null,
      });
      await sut.create('amy', mention('at3'), { conversationId: 'th_1', seq: 3 });
      await sut.create('amy', mention('at7'), { conversationId: 'th_1', seq: 7 });
      await sut.create('amy', mention('other'), { conversationId: 'th_2', seq: 1 });
      await sut.create('amy', mention('plain'));
      await sut.create('bob', mention('bobs'), { conversationId: 'th_1', seq: 1 });
      await sut.markRead('amy', 'at3');

      expect(await sut.markReadInConversation('amy', 'th_1', 2)).toBe(0);
      // at3 was read already; only at7 changes.
      expect(await sut.markReadInConversation('amy', 'th_1', 9)).toBe(1);
      expect(await sut.markReadInConversation('amy', 'th_1', 9)).toBe(0);
      expect(await sut.unreadCount('amy')).toBe(2);
      const read = (await sut.page('amy', { limit: 10 }))!.notifications
        .filter((item) => item.readAt !== null)
        .map((item) => item.id);
      expect(read.sort()).toEqual(['at3', 'at7']);
      expect(await sut.unreadCount('bob')).toBe(1);
    });
  });
});
