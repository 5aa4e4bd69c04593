import { randomBytes, scrypt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2ID, PasswordHasher } from '../../src/modules/auth/password-hasher';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { INTERNAL_TOKEN } from '../support/api-instance';
import { type ApiProcess, redisEnvironment, spawnApi } from '../support/api-process';
import { DEMO, HttpClient } from '../support/http-client';
import { metric, signIn } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { type TestSocket } from '../support/ws-client';
import { fixed, median, record } from './support/results';

/** The shipped defaults, which this suite tests as they are. */
const LOGIN_RATE_PER_ACCOUNT = 10;
const LOGIN_RATE_PER_IP = 10;

const countBy = (values: readonly (string | number)[]) =>
  values.reduce<Record<string, number>>((counts, value) => {
    counts[value] = (counts[value] ?? 0) + 1;
    return counts;
  }, {});
const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, value]) => `${key} × ${value}`)
    .join(', ');

/** Runs `task` for 0..count-1 with at most `limit` in flight. */
async function inParallel<T>(count: number, limit: number, task: (index: number) => Promise<T>) {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

describe('accounts: login limits, session lifetime and password hashes', () => {
  let redis: RedisServer;
  let a: ApiProcess;
  let b: ApiProcess;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    // The login limits at their defaults; sessions idle out after 5 s so the test can wait for
    // it, and the heartbeat notices an ended session within half a second.
    const environment = redisEnvironment(redis.url, {
      SESSION_IDLE_TIMEOUT_SECONDS: '5',
      WS_HEARTBEAT_MS: '500',
    });
    [a, b] = await Promise.all([spawnApi(environment), spawnApi(environment)]);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.dispose();
  });

  const passwordChecks = async () =>
    (await metric(a, 'chat_auth_password_checks_total')) +
    (await metric(b, 'chat_auth_password_checks_total'));

  it('lets a spray of 200 guesses from 50 addresses check at most the per-account budget', async () => {
    const attempt = (email: string, password: string, address: string, index: number) =>
      new HttpClient((index % 2 ? b : a).baseUrl).post(
        '/api/auth/login',
        { email, password },
        // What the trusted edge reports: 50 addresses, as a botnet would have.
        { 'x-forwarded-for': address },
      );
    const ATTEMPTS = 200;
    const ADDRESSES = 50;
    const checksBefore = await passwordChecks();
    const startedAt = performance.now();
    const spray = await inParallel(ATTEMPTS, 8, (index) =>
      attempt(
        DEMO.alice,
        // The right password is among the guesses, late: by then it is not even checked.
        index === 150 ? 'demo1234' : `guess-${index}`,
        `198.51.100.${(index % ADDRESSES) + 1}`,
        index,
      ),
    );
    const elapsedMs = performance.now() - startedAt;
    const checked = (await passwordChecks()) - checksBefore;
    const statuses = countBy(spray.map((response) => response.status));

    // The same spray at an account that does not exist reads the same.
    const unknownChecksBefore = await passwordChecks();
    const unknown = await inParallel(ATTEMPTS, 8, (index) =>
      attempt('nobody@demo.test', `guess-${index}`, `203.0.113.${(index % ADDRESSES) + 1}`, index),
    );
    const unknownChecked = (await passwordChecks()) - unknownChecksBefore;
    const unknownStatuses = countBy(unknown.map((response) => response.status));
    const refusalBodies = new Set(
      [...spray, ...unknown]
        .filter((response) => response.status === 429)
        .map((response) => JSON.stringify(response.body)),
    );
    // The account's owner, from an address of her own, waits for the window too; others do not.
    const owner = await attempt(DEMO.alice, 'demo1234', '192.0.2.77', 0);
    const someoneElse = await attempt(DEMO.linh, 'demo1234', '192.0.2.78', 1);

    record('login-spray', {
      tried: `a password spray at alice's account: ${ATTEMPTS} guesses (the right password as guess 151) from ${ADDRESSES} addresses reported by the trusted edge, 8 in flight over two instances on one Redis; the same at an account that does not exist`,
      amount: `${ATTEMPTS * 2} attempts in ${fixed(elapsedMs / 1000)} s and the same again; LOGIN_RATE_PER_ACCOUNT=${LOGIN_RATE_PER_ACCOUNT} per 15 min and LOGIN_RATE_PER_IP=${LOGIN_RATE_PER_IP} per minute (the defaults)`,
      result: `passwords checked against a hash: ${checked} of ${ATTEMPTS} (bound ${LOGIN_RATE_PER_ACCOUNT}); answers ${describeCounts(statuses)}; the right password was not checked; unknown account: ${unknownChecked} checked, answers ${describeCounts(unknownStatuses)}, ${refusalBodies.size} distinct 429 body for both; afterwards the owner got ${owner.status} until the window ends, another user ${someoneElse.status}`,
      figures: {
        attempts: ATTEMPTS,
        addresses: ADDRESSES,
        checked,
        unknownChecked,
        refused: statuses['429'] ?? 0,
        ownerStatus: owner.status,
        otherUserStatus: someoneElse.status,
        distinctRefusalBodies: refusalBodies.size,
        elapsedMs: Math.round(elapsedMs),
      },
    });
    expect(checked).toBeLessThanOrEqual(LOGIN_RATE_PER_ACCOUNT);
    expect(statuses['429']).toBeGreaterThanOrEqual(ATTEMPTS - LOGIN_RATE_PER_ACCOUNT);
    expect(statuses['200']).toBeUndefined();
    expect(unknownChecked).toBeLessThanOrEqual(LOGIN_RATE_PER_ACCOUNT);
    expect(unknownStatuses).toEqual(statuses);
    expect(refusalBodies.size).toBe(1);
    expect(owner.status).toBe(429);
    expect(someoneElse.status).toBe(200);
  });

  it('ends idle sessions, all of an offboarded user, and those of a changed password, with their sockets', async () => {
    const internal = { authorization: `Bearer ${INTERNAL_TOKEN}` };
    const socketOf = async (session: Awaited<ReturnType<typeof signIn>>) => {
      const socket = await session.socket();
      sockets.push(socket);
      return socket;
    };

    // Idle: a session unused for longer than SESSION_IDLE_TIMEOUT_SECONDS ends, socket and all.
    const idle = await signIn(a, DEMO.bob);
    const idleSocket = await socketOf(idle);
    const idleSince = Date.now();
    const idleClose = await idleSocket.closed;
    const idleEndedAfterMs = Date.now() - idleSince;
    const idleMe = (await idle.http.get('/api/auth/me')).status;

    // In use: the same timeout, a request every 1.5 s for 9 s, never ends it.
    const busy = await signIn(b, DEMO.somchai);
    const busyStatuses: number[] = [];
    for (let index = 0; index < 6; index++) {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      busyStatuses.push((await busy.http.get('/api/auth/me')).status);
    }

    // Offboarding: every session of vu, on both instances, with its sockets.
    const [vuOnA, vuOnB] = [await signIn(a, DEMO.vu), await signIn(b, DEMO.vu)];
    const vuSockets = [await socketOf(vuOnA), await socketOf(vuOnB), await socketOf(vuOnB)];
    const offboardedAt = Date.now();
    const ended = await new HttpClient(a.baseUrl).request(
      'DELETE',
      '/api/internal/users/u_vu/sessions',
      undefined,
      internal,
    );
    const vuCloses = await Promise.all(vuSockets.map((socket) => socket.closed));
    const offboardingMs = Date.now() - offboardedAt;
    const vuMe = [
      (await vuOnA.http.get('/api/auth/me')).status,
      (await vuOnB.http.get('/api/auth/me')).status,
    ];

    // A new password (set over the internal API, as the platform does) ends grace's sessions.
    const grace = await signIn(b, DEMO.grace);
    const graceSocket = await socketOf(grace);
    const changedAt = Date.now();
    const changed = await new HttpClient(b.baseUrl).put(
      '/api/internal/users/u_grace',
      {
        email: DEMO.grace,
        name: 'Grace',
        handle: 'grace',
        role: 'admin',
        country: null,
        password: 'a-brand-new-password',
      },
      internal,
    );
    const graceClose = await graceSocket.closed;
    const passwordChangeMs = Date.now() - changedAt;
    const graceMe = (await grace.http.get('/api/auth/me')).status;

    record('session-lifetime', {
      tried:
        'bob leaves a session and its socket unused; somchai uses one every 1.5 s; vu is offboarded (DELETE /api/internal/users/u_vu/sessions) with sessions and sockets on both instances; grace gets a new password over the internal API. Both instances share one Redis. The absolute lifetime (SESSION_TTL_SECONDS, at least a minute) is covered with a clock the test controls (src/modules/auth/sessions.service.spec.ts)',
      amount:
        'SESSION_IDLE_TIMEOUT_SECONDS=5 (7 days by default), WS_HEARTBEAT_MS=500; 4 users, 5 sessions, 5 sockets',
      result: `idle session ended with its socket closed ${idleClose.code} after ${fixed(idleEndedAfterMs / 1000)} s, then /auth/me ${idleMe}; the used one answered ${describeCounts(countBy(busyStatuses))} over 9 s; offboarding ended ${ended.body?.ended} sessions, closed ${vuSockets.length} sockets on both instances with ${[...new Set(vuCloses.map((close) => close.code))].join(', ')} within ${offboardingMs} ms, /auth/me ${vuMe.join(', ')}; the password change closed grace's socket with ${graceClose.code} within ${passwordChangeMs} ms, /auth/me ${graceMe}`,
      figures: {
        idleCloseCode: idleClose.code,
        idleEndedAfterMs,
        busyOk: busyStatuses.filter((status) => status === 200).length,
        offboardedSessions: ended.body?.ended ?? null,
        offboardingMs,
        passwordChangeMs,
        graceCloseCode: graceClose.code,
      },
    });
    expect(idleClose.code).toBe(4401);
    expect(idleEndedAfterMs).toBeGreaterThanOrEqual(4_000);
    expect(idleEndedAfterMs).toBeLessThan(9_000);
    expect(idleMe).toBe(401);
    expect(busyStatuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(ended).toMatchObject({ status: 200, body: { ended: 2 } });
    expect(vuCloses.map((close) => close.code)).toEqual([4401, 4401, 4401]);
    expect(offboardingMs).toBeLessThan(2_000);
    expect(vuMe).toEqual([401, 401]);
    expect(changed.status).toBe(200);
    expect(graceClose.code).toBe(4401);
    expect(graceMe).toBe(401);
  });

  it('hashes with argon2id and replaces an older scrypt hash at the next login', async () => {
    const scryptAt = (N: number) => () =>
      new Promise((resolve, reject) =>
        scrypt('demo1234', randomBytes(16), 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 }, (error) =>
          error ? reject(error) : resolve(null),
        ),
      );
    const hasher = new PasswordHasher();
    const contenders = {
      argon: () => hasher.hash('demo1234'),
      scrypt15: scryptAt(2 ** 15),
      scrypt17: scryptAt(2 ** 17),
    };
    // Taken in turns, so that load from elsewhere on the machine weighs on all three alike.
    const times: Record<keyof typeof contenders, number[]> = {
      argon: [],
      scrypt15: [],
      scrypt17: [],
    };
    for (let round = 0; round < 5; round++) {
      for (const [name, hash] of Object.entries(contenders)) {
        const startedAt = performance.now();
        await hash();
        times[name as keyof typeof contenders].push(performance.now() - startedAt);
      }
    }
    const [argonMs, scrypt15Ms, scrypt17Ms] = [times.argon, times.scrypt15, times.scrypt17].map(
      median,
    ) as [number, number, number];

    // bob's stored hash, as the API wrote them before: scrypt at N=2^15.
    const client = redis.client();
    const bob = JSON.parse((await client.get(redisKeys.user('u_bob')))!) as {
      passwordHash: string;
    };
    const salt = randomBytes(16);
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt('demo1234', salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 2 ** 26 }, (error, derived) =>
        error ? reject(error) : resolve(derived),
      ),
    );
    const legacy = `scrypt$32768$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    await client.set(redisKeys.user('u_bob'), JSON.stringify({ ...bob, passwordHash: legacy }));
    const wrong = await new HttpClient(a.baseUrl).post('/api/auth/login', {
      email: DEMO.bob,
      password: 'not-his-password',
    });
    const keptAfterWrong =
      (JSON.parse((await client.get(redisKeys.user('u_bob')))!) as { passwordHash: string })
        .passwordHash === legacy;
    await new HttpClient(a.baseUrl).login(DEMO.bob);
    const rehashed = (
      JSON.parse((await client.get(redisKeys.user('u_bob')))!) as { passwordHash: string }
    ).passwordHash;
    await new HttpClient(b.baseUrl).login(DEMO.bob);
    client.disconnect();

    record('password-hashing', {
      tried:
        "bob's stored hash replaced by one as the API made them before (scrypt, N=2^15, 32 MiB); a wrong login, then two right ones on both instances; the cost of one hash in the test process, 5 of each",
      amount: `argon2id m=${ARGON2ID.memory} KiB, t=${ARGON2ID.passes}, p=${ARGON2ID.parallelism} (OWASP's first setting) against scrypt N=2^15 and N=2^17 (OWASP's scrypt setting, 128 MiB)`,
      result: `median per hash: argon2id ${fixed(argonMs)} ms (19 MiB), scrypt 2^15 ${fixed(scrypt15Ms)} ms (32 MiB), scrypt 2^17 ${fixed(scrypt17Ms)} ms (128 MiB); the wrong password answered ${wrong.status} and left the old hash; the right one replaced it with ${rehashed.split('$').slice(0, 4).join('$')}, which both instances then accepted`,
      figures: {
        argonMs: Math.round(argonMs),
        scrypt15Ms: Math.round(scrypt15Ms),
        scrypt17Ms: Math.round(scrypt17Ms),
        keptAfterWrong,
        rehashed: rehashed.startsWith('$argon2id$'),
      },
    });
    expect(wrong.status).toBe(401);
    expect(keptAfterWrong).toBe(true);
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});
