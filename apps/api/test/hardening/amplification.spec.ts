import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEventually } from '@chat/test-support';
import { UserRepository } from '../../src/modules/users/user.repository';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from '../support/api-instance';
import { BK_1001_THREAD, DEMO, HttpClient } from '../support/http-client';
import { postMessage, signIn, subscribe } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { type TestSocket } from '../support/ws-client';
import { fixed, record } from './support/results';

/** The shipped defaults, tested as they are. */
const MENTIONS_PER_MESSAGE = 10;
const REPLAY_BUDGET = 10_000;

/**
 * One request that makes the server do a lot: a post that mentions a thousand people, resumes
 * that replay a long history again and again, and close codes a client picks to make the
 * metrics grow without bound.
 */
describe('amplification: mentions, replays and metric labels a client chooses', () => {
  let redis: RedisServer;
  let api: ApiInstance;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    api = await startApi({
      REDIS_URL: redis.url,
      DEMO_SEED: 'true',
      WS_MAX_SOCKETS_PER_USER: '1000',
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await api?.close();
    await redis?.dispose();
  });

  it('looks up and notifies at most 10 handles of a message that mentions a thousand', async () => {
    const internal = new HttpClient(api.baseUrl);
    // Twelve real staff members in the thread's country, then a thousand handles nobody has.
    const staff = Array.from({ length: 12 }, (_, index) => `crowd${index}`);
    for (const handle of staff) {
      await internal.put(
        `/api/internal/users/u_${handle}`,
        { email: `${handle}@example.test`, name: handle, handle, role: 'staff', country: 'VN' },
        { authorization: `Bearer ${INTERNAL_TOKEN}` },
      );
    }
    const users = api.app.get(UserRepository);
    const findByHandle = users.findByHandle.bind(users);
    let lookups = 0;
    users.findByHandle = (handle) => {
      lookups++;
      return findByHandle(handle);
    };
    const alice = await signIn(api, DEMO.alice);
    const handles = [...staff, ...Array.from({ length: 1_000 }, (_, index) => `nobody${index}`)];
    const body = handles
      .map((handle) => `@${handle}`)
      .join(' ')
      .slice(0, 4_000);
    const startedAt = performance.now();
    const posted = await postMessage(alice.http, BK_1001_THREAD, body, 'crowd-1');
    const postMs = performance.now() - startedAt;
    const mentioned = posted.body.message.mentions as string[];
    record('mention-cap', {
      tried:
        'a message of 4,000 characters that is nothing but @handles: 12 staff members who may open the thread, then handles of nobody',
      amount: `${body.split(' ').length} handles in one post`,
      result: `${lookups} handles looked up, ${mentioned.length} users mentioned and notified (bound ${MENTIONS_PER_MESSAGE}: the first ${MENTIONS_PER_MESSAGE} handles); the post answered ${posted.status} in ${fixed(postMs)} ms`,
      figures: { handles: body.split(' ').length, lookups, mentioned: mentioned.length, postMs },
    });
    expect(posted.status).toBe(201);
    expect(lookups).toBeLessThanOrEqual(MENTIONS_PER_MESSAGE);
    expect(mentioned).toEqual(staff.slice(0, MENTIONS_PER_MESSAGE).map((handle) => `u_${handle}`));
  });

  it('replays at most 10,000 messages a user asks for again and again within 10 s', async () => {
    const alice = await signIn(api, DEMO.alice);
    const linh = await signIn(api, DEMO.linh);
    const history = 500;
    for (let index = 0; index < history; index++) {
      await postMessage(alice.http, BK_1001_THREAD, `history ${index}`, `replay-${index}`);
    }
    const probe = await linh.socket();
    sockets.push(probe);
    const { lastSeq } = (await subscribe(probe, BK_1001_THREAD)).data;
    const resumes = 40;
    const startedAt = performance.now();
    let replayed = 0;
    let refused = 0;
    for (let index = 0; index < resumes; index++) {
      const socket = await linh.socket();
      sockets.push(socket);
      const answer = await subscribe(socket, BK_1001_THREAD, lastSeq - history);
      replayed += socket.all('message.new').length;
      if (!answer.data.recovered) refused++;
      socket.terminate();
    }
    const elapsedMs = performance.now() - startedAt;
    record('replay-budget', {
      tried: `one user resumes the last ${history} messages of a thread (\`subscribe {since}\`, the most one replay sends) on new sockets, one after the other`,
      amount: `${resumes} resumes (${resumes * history} messages asked for) in ${fixed(elapsedMs / 1000)} s; WS_REPLAY_BUDGET_PER_USER=${REPLAY_BUDGET} per 10 s (the default)`,
      result: `${replayed} messages replayed, ${refused} resumes answered recovered:false (the client pages over HTTP instead)`,
      figures: { resumes, asked: resumes * history, replayed, refused, elapsedMs },
    });
    expect(replayed).toBeLessThanOrEqual(REPLAY_BUDGET);
    expect(refused).toBeGreaterThanOrEqual(resumes - REPLAY_BUDGET / history);
  });

  it('counts every close code a client picks under one metric label', async () => {
    const bob = await signIn(api, DEMO.bob);
    const codes = Array.from({ length: 200 }, (_, index) => 3_000 + index * 9);
    for (const code of codes) await (await bob.socket()).close(code);
    const labels = async () =>
      new Set(
        (await (await fetch(api.metricsUrl)).text())
          .split('\n')
          .filter((line) => line.startsWith('chat_ws_closed_total{'))
          .map((line) => /code="([^"]*)"/.exec(line)?.[1]),
      );
    let seen = new Set<string | undefined>();
    await expectEventually(async () => {
      seen = await labels();
      expect(seen.has('other')).toBe(true);
    });
    record('close-code-labels', {
      tried: 'sockets that close with codes of their own choosing (3000–4791), each a new value',
      amount: `${codes.length} sockets, ${codes.length} distinct codes`,
      result: `chat_ws_closed_total has ${seen.size} code labels (${[...seen].join(', ')}): every code a client picks counts as "other"`,
      figures: { codes: codes.length, labels: seen.size },
    });
    expect(
      [...seen].every((label) => label === 'other' || Number(label) < 3_000 || label === '4401'),
    ).toBe(true);
  });
});
