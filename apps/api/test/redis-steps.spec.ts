import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectEventually } from '@chat/test-support';
import { UnavailableError } from '../src/common/domain-errors';
import { InboxRepository } from '../src/modules/chat/inbox.repository';
import { ReadStateRepository } from '../src/modules/chat/read-state.repository';
import {
  COPY_WINDOW_MS,
  ConversationCopiesWriter,
} from '../src/infra/engines/redis/conversation-copies';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from './support/api-instance';
import { useEngine } from './support/engines';
import { BK_1001_THREAD, DEMO, HttpClient } from './support/http-client';
import { postMessage, signIn } from './support/realtime';

/**
 * Decision 0019: a change is made in steps of one slot each, every one safe to run again and in
 * any order. On a single node and on a Cluster (where the steps are separate scripts on separate
 * masters).
 */
describe.each(['redis', 'cluster'] as const)('the steps of a change on %s', (engineName) => {
  const engine = useEngine(engineName);
  let api: ApiInstance;

  beforeEach(async () => {
    await engine.reset();
    api = await startApi(engine.environment());
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await api.close();
  });

  const unreadOf = async (client: HttpClient) =>
    (await client.get('/api/chat/unread')).body as {
      total: number;
      conversations: Record<string, number>;
    };

  it('completes a post whose participants’ step failed when the client retries it, once', async () => {
    const alice = await signIn(api, DEMO.alice);
    const linh = await signIn(api, DEMO.linh);
    const linhSocket = await linh.socket();
    const before = await unreadOf(linh.http);

    const copies = api.app.get(ConversationCopiesWriter);
    vi.spyOn(copies, 'afterMessage').mockRejectedValueOnce(new UnavailableError());
    const failed = await postMessage(alice.http, BK_1001_THREAD, 'hello once', 'steps-1');
    expect(failed.status).toBe(503);
    // The conversation's step was made (the message is in the log), the participants' was not.
    const history = await linh.http.get(`/api/chat/conversations/${BK_1001_THREAD}/messages`);
    const stored = (history.body.messages as Array<{ body: string; seq: number }>).at(-1)!;
    expect(stored.body).toBe('hello once');
    expect(await unreadOf(linh.http)).toEqual(before);

    const retried = await postMessage(alice.http, BK_1001_THREAD, 'hello once', 'steps-1');
    expect(retried.status).toBe(200);
    expect(retried.body.message.seq).toBe(stored.seq);
    const after = await unreadOf(linh.http);
    expect(after.total).toBe(before.total + 1);
    expect(after.conversations[BK_1001_THREAD]).toBe(
      (before.conversations[BK_1001_THREAD] ?? 0) + 1,
    );
    const frame = await linhSocket.next(
      'unread',
      (candidate) => candidate.data.lastMessage?.seq === stored.seq,
    );
    expect(frame.data).toMatchObject({ conversationId: BK_1001_THREAD, total: after.total });

    // A second retry changes and announces nothing more.
    expect((await postMessage(alice.http, BK_1001_THREAD, 'hello once', 'steps-1')).status).toBe(
      200,
    );
    expect(await unreadOf(linh.http)).toEqual(after);
    await linh.http.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, { seq: stored.seq });
    await linhSocket.next(
      'unread',
      (candidate) => candidate.data.conversationId === BK_1001_THREAD,
    );
    expect(
      linhSocket
        .all('unread')
        .filter((candidate) => candidate.data.lastMessage?.seq === stored.seq),
    ).toHaveLength(1);
    await linhSocket.close();
  });

  it('keeps the newer copy when a participant’s steps arrive out of order or twice', async () => {
    const writer = api.app.get(ConversationCopiesWriter);
    const inbox = api.app.get(InboxRepository);
    const copy = (version: number, count: number) => [
      { userId: 'u_vu', version, participant: true, count },
    ];
    await writer.apply('th_steps', 500, 'quiet', null, copy(7, 2));
    await writer.apply('th_steps', 400, 'quiet', null, copy(6, 9));
    await writer.apply('th_steps', 300, 'quiet', null, copy(7, 5));
    expect(await inbox.unreadCounts('u_vu', ['th_steps'])).toEqual(new Map([['th_steps', 2]]));
    // Its place only moves up.
    expect(await inbox.activityIn({ kind: 'user', userId: 'u_vu' }, ['th_steps'])).toEqual(
      new Map([['th_steps', 500]]),
    );
    // A leave of a newer version wins over a late message; a later join over the leave.
    await writer.apply('th_steps', 0, 'quiet', null, [
      { userId: 'u_vu', version: 9, participant: false, count: 0 },
    ]);
    await writer.apply('th_steps', 600, 'message', null, copy(8, 3));
    expect(await inbox.unread('u_vu', 100)).toMatchObject({ conversations: new Map() });
    expect(await inbox.activityIn({ kind: 'user', userId: 'u_vu' }, ['th_steps'])).toEqual(
      new Map(),
    );
    await writer.apply('th_steps', 700, 'quiet', null, copy(10, 1));
    expect(await inbox.unreadCounts('u_vu', ['th_steps'])).toEqual(new Map([['th_steps', 1]]));
    expect(await inbox.activityIn({ kind: 'unread', userId: 'u_vu' }, ['th_steps'])).toEqual(
      new Map([['th_steps', 700]]),
    );
  });

  it('leaves every copy equal to the conversation after concurrent posts and reads on two instances', async () => {
    const other = await startApi(engine.environment());
    try {
      const [alice, linh, aliceOnOther, linhOnOther] = await Promise.all([
        signIn(api, DEMO.alice),
        signIn(api, DEMO.linh),
        signIn(other, DEMO.alice),
        signIn(other, DEMO.linh),
      ]);
      const writers = [alice, linh, aliceOnOther, linhOnOther];
      await Promise.all(
        Array.from({ length: 80 }, async (_, index) => {
          const writer = writers[index % writers.length]!;
          const posted = await postMessage(writer.http, BK_1001_THREAD, `m${index}`, `c${index}`);
          expect(posted.status).toBe(201);
          if (index % 7 === 0) {
            await writer.http.post(`/api/chat/conversations/${BK_1001_THREAD}/read`, {
              seq: posted.body.message.seq,
            });
          }
        }),
      );
      // True unread, from the log and each reader's marker, against the copy the reader reads.
      const history = await alice.http.get(
        `/api/chat/conversations/${BK_1001_THREAD}/messages?limit=100`,
      );
      const messages = history.body.messages as Array<{ seq: number; author: { id: string } }>;
      expect(messages.map((message) => message.seq)).toEqual(
        Array.from({ length: messages.length }, (_, index) => index + 1),
      );
      // Within a window of the last post (decision 0020).
      await expectEventually(async () => {
        for (const reader of [alice, linh]) {
          const marker = await api.app.get(ReadStateRepository).get(reader.user.id, BK_1001_THREAD);
          const expected = messages.filter(
            (message) => message.seq > marker && message.author.id !== reader.user.id,
          ).length;
          const unread = await unreadOf(reader.http);
          expect(unread.conversations[BK_1001_THREAD] ?? 0, reader.user.id).toBe(expected);
          expect(unread.total).toBe(
            Object.values(unread.conversations).reduce((sum, count) => sum + count, 0),
          );
        }
      });
    } finally {
      await other.close();
    }
  });

  it('makes a busy conversation’s copies once a window, its author’s at once, and all of them right', async () => {
    const admin = new HttpClient(api.baseUrl);
    const booking = await admin.put(
      '/api/internal/bookings/bk_3001',
      { ref: 'BK-3001', country: 'VN', creatorId: 'u_alice', managerId: 'u_linh' },
      { authorization: `Bearer ${INTERNAL_TOKEN}` },
    );
    expect(booking.status).toBe(200);
    const otherThread = booking.body.conversationId as string;
    const [alice, linh] = await Promise.all([signIn(api, DEMO.alice), signIn(api, DEMO.linh)]);
    const linhSocket = await linh.socket();
    const before = await unreadOf(linh.http);

    // When each step that made every participant's copy of the thread began.
    const writer = api.app.get(ConversationCopiesWriter);
    const apply = writer.apply.bind(writer);
    const everyoneSteps: number[] = [];
    vi.spyOn(writer, 'apply').mockImplementation((conversationId, ...rest) => {
      if (conversationId === BK_1001_THREAD && rest[3].length > 1) everyoneSteps.push(Date.now());
      return apply(conversationId, ...rest);
    });

    const seqs: number[] = [];
    const post = async (conversationId: string, index: number) => {
      const posted = await postMessage(
        alice.http,
        conversationId,
        `busy ${index}`,
        `busy-${index}`,
      );
      expect(posted.status).toBe(201);
      return posted.body.message.seq as number;
    };
    seqs.push(await post(BK_1001_THREAD, 0));
    await post(otherThread, 1);
    for (let index = 2; index < 6; index++) {
      seqs.push(await post(BK_1001_THREAD, index));
      // The author's inbox moved before the post was answered, whatever the window.
      const mine = await alice.http.get('/api/chat/conversations?scope=mine');
      expect(mine.body.conversations[0].id).toBe(BK_1001_THREAD);
    }

    // Everyone's copies follow: the right count, and one frame with the last message.
    await expectEventually(async () =>
      expect((await unreadOf(linh.http)).conversations[BK_1001_THREAD]).toBe(
        (before.conversations[BK_1001_THREAD] ?? 0) + seqs.length,
      ),
    );
    const frame = await linhSocket.next(
      'unread',
      (candidate) => candidate.data.lastMessage?.seq === seqs.at(-1),
    );
    expect(frame.data.count).toBe((before.conversations[BK_1001_THREAD] ?? 0) + seqs.length);
    // Fewer steps for everyone than posts, a window apart.
    expect(everyoneSteps.length).toBeLessThan(seqs.length);
    everyoneSteps.slice(1).forEach((startedAt, index) => {
      expect(startedAt - everyoneSteps[index]!).toBeGreaterThanOrEqual(COPY_WINDOW_MS - 5);
    });
    await linhSocket.close();
  });

  it('tries a window’s failed step again, and makes what waits when the replica stops', async () => {
    const [alice, linh] = await Promise.all([signIn(api, DEMO.alice), signIn(api, DEMO.linh)]);
    const before = (await unreadOf(linh.http)).conversations[BK_1001_THREAD] ?? 0;
    const writer = api.app.get(ConversationCopiesWriter);
    const apply = writer.apply.bind(writer);
    let everyoneSteps = 0;
    vi.spyOn(writer, 'apply').mockImplementation((conversationId, ...rest) => {
      // The step at the end of the first window fails.
      if (rest[3].length > 1 && ++everyoneSteps === 2) throw new UnavailableError();
      return apply(conversationId, ...rest);
    });
    for (let index = 0; index < 3; index++) {
      expect(
        (await postMessage(alice.http, BK_1001_THREAD, `r${index}`, `r-${index}`)).status,
      ).toBe(201);
    }
    await expectEventually(async () =>
      expect((await unreadOf(linh.http)).conversations[BK_1001_THREAD]).toBe(before + 3),
    );
    expect(everyoneSteps).toBeGreaterThanOrEqual(3);

    // Two more in a window, and the replica stops before the window ends: it makes them first
    // (read on another replica, which indexes nothing at this point).
    const other = await startApi(engine.environment());
    try {
      const linhOnOther = await signIn(other, DEMO.linh);
      for (let index = 3; index < 5; index++) {
        expect(
          (await postMessage(alice.http, BK_1001_THREAD, `r${index}`, `r-${index}`)).status,
        ).toBe(201);
      }
      await api.close();
      expect((await unreadOf(linhOnOther.http)).conversations[BK_1001_THREAD]).toBe(before + 5);
    } finally {
      api = other;
    }
  });
});
