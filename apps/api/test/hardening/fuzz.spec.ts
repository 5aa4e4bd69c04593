import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as protocol from '@chat/protocol';
import { type ClientEvent, CLIENT_EVENTS, clientFrameSchema } from '@chat/protocol';
import { type ApiInstance, INTERNAL_TOKEN, startApi } from '../support/api-instance';
import { DEMO, HttpClient } from '../support/http-client';
import { metric, signIn } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { TestSocket } from '../support/ws-client';
import {
  anyValue,
  type FuzzFrame,
  fuzzFrame,
  hostileId,
  safeStringify,
  validFrames,
} from './support/arbitraries';
import { PROFILE } from './support/profile';
import { record } from './support/results';

interface Schema {
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

/** Every schema the protocol package exports: frames, HTTP bodies, queries and responses. */
const SCHEMAS = Object.entries(protocol as Record<string, unknown>).filter(
  (entry): entry is [string, Schema] =>
    entry[0].endsWith('Schema') && typeof (entry[1] as Partial<Schema>).safeParse === 'function',
);

/**
 * Addresses as people have them. (`fc.emailAddress()` also makes RFC 5322 oddities such as
 * `!a@a.aa`, which zod's `z.email()` refuses at login and at user creation alike.)
 */
const email = fc.stringMatching(
  /^[a-z0-9]([a-z0-9_+-]{0,20}[a-z0-9])?@[a-z0-9]{1,20}\.[a-z]{2,6}$/,
);

/** Ids as the contract has them: 1-128 letters, digits, `_` and `-`. */
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);

/** Valid HTTP bodies and queries, built by hand from the contract, for the acceptance property. */
const VALID_BODIES: Array<[string, fc.Arbitrary<unknown>]> = [
  ['loginBodySchema', fc.record({ email, password: fc.string({ minLength: 1, maxLength: 1024 }) })],
  [
    'postMessageBodySchema',
    fc.record({
      body: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 1000 })
        .filter((body) => body.trim().length > 0 && body.length <= 4000),
      clientMessageId: fc.string({ minLength: 1, maxLength: 64 }),
    }),
  ],
  ['readBodySchema', fc.record({ seq: fc.nat() })],
  [
    'listConversationsQuerySchema',
    fc.record({ scope: fc.constantFrom('mine', 'all') }, { requiredKeys: [] }),
  ],
  [
    'listMessagesQuerySchema',
    fc.record(
      {
        before: fc.integer({ min: 1 }).map(String),
        limit: fc.integer({ min: 1, max: 100 }).map(String),
      },
      { requiredKeys: [] },
    ),
  ],
  [
    'upsertUserBodySchema',
    fc.record({
      email,
      name: fc.string({ minLength: 1, maxLength: 200 }).filter((name) => name.trim().length > 0),
      handle: fc.stringMatching(/^[a-z0-9_]{2,32}$/),
      role: fc.constantFrom('customer', 'staff', 'admin'),
      country: fc.option(fc.stringMatching(/^[A-Z]{2}$/), { nil: null }),
    }),
  ],
  [
    'upsertBookingBodySchema',
    fc.record({
      ref: fc.string({ minLength: 1, maxLength: 64 }).filter((value) => value.trim().length > 0),
      country: fc.stringMatching(/^[A-Z]{2}$/),
      creatorId: id,
      managerId: fc.option(id, { nil: null }),
    }),
  ],
  [
    'createNotificationBodySchema',
    fc.record({
      userId: id,
      type: fc.string({ minLength: 1, maxLength: 64 }).filter((value) => value.trim().length > 0),
      title: fc.string({ minLength: 1, maxLength: 200 }).filter((value) => value.trim().length > 0),
    }),
  ],
];

describe('property-based fuzzing', () => {
  let redis: RedisServer;
  let api: ApiInstance;

  beforeAll(async () => {
    redis = await RedisServer.start();
    api = await startApi({
      REDIS_URL: redis.url,
      DEMO_SEED: 'true',
      WS_MAX_SOCKETS_PER_USER: '1000',
      WS_CONNECT_RATE_PER_IP: '0',
      LOGIN_RATE_PER_IP: '0',
      LOGIN_RATE_PER_ACCOUNT: '0',
      MESSAGE_RATE_PER_USER: '0',
    });
  });
  afterAll(async () => {
    await api?.close();
    await redis?.dispose();
  });

  it('parses anything with every schema without throwing, idempotently, and accepts what the contract allows', () => {
    const perSchema = Math.max(100, Math.round(PROFILE.fuzzCases / 5));
    let cases = 0;
    for (const [name, schema] of SCHEMAS) {
      fc.assert(
        fc.property(anyValue, (value) => {
          cases++;
          const first = schema.safeParse(value);
          if (!first.success) return;
          // What a schema lets through must be stable: parsing it again gives the same value.
          const again = schema.safeParse(first.data);
          expect(again.success, name).toBe(true);
          expect(again.data, name).toEqual(first.data);
        }),
        { numRuns: perSchema },
      );
    }
    // Valid frames and bodies are accepted; without a required field they are not.
    const frames: Record<ClientEvent, fc.Arbitrary<unknown>> = validFrames;
    expect(Object.keys(frames).sort()).toEqual([...CLIENT_EVENTS].sort());
    for (const event of CLIENT_EVENTS) {
      fc.assert(
        fc.property(frames[event], (data) => {
          cases++;
          expect(clientFrameSchema.safeParse({ event, data }).success, event).toBe(true);
          for (const key of Object.keys(data as object)) {
            const { [key]: _dropped, ...rest } = data as Record<string, unknown>;
            const withoutKey = clientFrameSchema.safeParse({ event, data: rest });
            if (key !== 'since') expect(withoutKey.success, `${event} without ${key}`).toBe(false);
          }
        }),
        { numRuns: perSchema },
      );
    }
    const byName = new Map(SCHEMAS);
    for (const [name, arbitrary] of VALID_BODIES) {
      const schema = byName.get(name)!;
      fc.assert(
        fc.property(arbitrary, (body) => {
          cases++;
          expect(schema.safeParse(body).success, name).toBe(true);
        }),
        { numRuns: perSchema },
      );
    }
    record('fuzz-schemas', {
      tried: `every exported schema of @chat/protocol (${SCHEMAS.length}: frames, bodies, queries, responses) with fast-check values (hostile objects, null prototypes, boxed values, sparse and typed arrays, lone surrogates, edge numbers, prototype keys); valid frames for every client event and valid bodies, with and without each required field`,
      amount: `${cases.toLocaleString('en-US')} cases (${perSchema.toLocaleString('en-US')} per property)`,
      result:
        '0 throws; every accepted value parses again to the same value; every valid frame and body accepted, every one missing a required field refused',
      figures: { schemas: SCHEMAS.length, cases, perProperty: perSchema },
    });
  });

  it('answers random frames with error and keeps the socket usable: no crash, no unhandled rejection, no internal error', async () => {
    const sessions = await Promise.all(
      [DEMO.alice, DEMO.bob, DEMO.linh, DEMO.vu, DEMO.somchai, DEMO.grace].map((email) =>
        signIn(api, email),
      ),
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    // The per-connection limit is 120 frames per 10 s; each case sends two (the frame and a probe).
    const casesPerSocket = 50;
    let socket: TestSocket | null = null;
    let used = 0;
    let opened = 0;
    let cases = 0;
    let invalid = 0;
    let answeredWithError = 0;
    const codes = new Map<string, number>();
    const startedAt = Date.now();
    try {
      await fc.assert(
        fc.asyncProperty(fuzzFrame, async (frame: FuzzFrame) => {
          if (!socket || used >= casesPerSocket || !socket.isOpen) {
            socket?.terminate();
            socket = await sessions[opened % sessions.length]!.socket();
            opened++;
            used = 0;
          }
          used++;
          cases++;
          const current: TestSocket = socket;
          const before = current.frames.length;
          if (frame.kind === 'binary') current.sendRaw(Buffer.from(frame.bytes));
          else current.sendRaw(frame.text);
          const probe = `probe-${cases}`;
          current.send('ping', {}, probe);
          await current.waitForRef(probe, 10_000);
          const answers = current.frames.slice(before);
          const errors = answers.filter((answer) => answer.event === 'error');
          for (const error of errors) {
            const code = (error.data as { code: string }).code;
            codes.set(code, (codes.get(code) ?? 0) + 1);
          }
          expect(current.isOpen).toBe(true);
          expect(errors.map((error) => (error.data as { code: string }).code)).not.toContain(
            'internal',
          );
          const parsed =
            frame.kind === 'text'
              ? clientFrameSchema.safeParse(tryParse(frame.text))
              : { success: false };
          if (!parsed.success) {
            invalid++;
            // One bad_request for the bad frame, with its ref when it had a usable one.
            expect(errors.map((error) => (error.data as { code: string }).code)).toEqual([
              'bad_request',
            ]);
            answeredWithError++;
            const sentRef = refOf(frame);
            if (sentRef !== undefined) expect(errors[0]!.ref).toBe(sentRef);
          }
        }),
        { numRuns: PROFILE.fuzzCases },
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
      (socket as TestSocket | null)?.terminate();
    }
    const elapsed = Date.now() - startedAt;
    const ready = await new HttpClient(api.baseUrl).get('/api/health/ready');
    const invalidCounted = await metric(api, 'chat_ws_frames_received_total{event="invalid"}');
    record('fuzz-gateway', {
      tried:
        'random frames on live sockets of all six demo users: random text and JSON, envelopes with near-valid or random data and refs, valid frames of every event (in and out of scope), binary, truncated JSON, 4,000-deep arrays; a ping after each',
      amount: `${cases.toLocaleString('en-US')} frames over ${opened} sockets in ${(elapsed / 1000).toFixed(1)} s (${invalid.toLocaleString('en-US')} invalid)`,
      result: `0 crashes, ${unhandled.length} unhandled rejections, 0 internal errors; every invalid frame answered with one bad_request (its ref echoed) and every probe answered on the same socket; errors by code: ${[...codes].map(([code, count]) => `${code} ${count}`).join(', ')}`,
      figures: {
        cases,
        sockets: opened,
        invalid,
        answeredWithError,
        unhandled: unhandled.length,
        elapsedMs: elapsed,
        ...Object.fromEntries([...codes].map(([code, count]) => [`errors_${code}`, count])),
      },
    });
    expect(cases).toBe(PROFILE.fuzzCases);
    expect(unhandled).toEqual([]);
    expect(ready.status).toBe(200);
    expect(invalidCounted).toBeGreaterThanOrEqual(invalid);
  });

  it('answers random HTTP bodies, queries and ids with 4xx, never 5xx', async () => {
    const alice = new HttpClient(api.baseUrl);
    await alice.login(DEMO.alice);
    const internal = { authorization: `Bearer ${INTERNAL_TOKEN}` };
    const encode = (id: string) => encodeURIComponent(id) || '%20';
    const valid = (name: string) => VALID_BODIES.find(([schema]) => schema === name)![1];
    const requests: fc.Arbitrary<FuzzRequest> = fc.oneof(
      fc
        .tuple(fc.constantFrom('th_bk_1001', 'th_bk_2001'), valid('postMessageBodySchema'))
        .map(([id, body]) => ({
          method: 'POST',
          path: `/api/chat/conversations/${id}/messages`,
          body,
        })),
      fc.tuple(hostileId, fc.oneof(anyValue, valid('postMessageBodySchema'))).map(([id, body]) => ({
        method: 'POST',
        path: `/api/chat/conversations/${encode(id)}/messages`,
        body,
      })),
      fc.tuple(hostileId, fc.oneof(anyValue, valid('readBodySchema'))).map(([id, body]) => ({
        method: 'POST',
        path: `/api/chat/conversations/${encode(id)}/read`,
        body,
      })),
      fc
        .tuple(
          hostileId,
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ maxLength: 20 }),
        )
        .map(([id, before, limit]) => ({
          method: 'GET',
          path: `/api/chat/conversations/${encode(id)}/messages?before=${encodeURIComponent(before)}&limit=${encodeURIComponent(limit)}`,
        })),
      anyValue.map((body) => ({ method: 'POST', path: '/api/auth/login', body })),
      fc.tuple(hostileId, fc.oneof(anyValue, valid('upsertUserBodySchema'))).map(([id, body]) => ({
        method: 'PUT',
        path: `/api/internal/users/${encode(`fuzz-${id}`)}`,
        body,
        headers: internal,
      })),
      fc
        .tuple(hostileId, fc.oneof(anyValue, valid('upsertBookingBodySchema')))
        .map(([id, body]) => ({
          method: 'PUT',
          path: `/api/internal/bookings/${encode(`fuzz-${id}`)}`,
          body,
          headers: internal,
        })),
      fc.oneof(anyValue, valid('createNotificationBodySchema')).map((body) => ({
        method: 'POST',
        path: '/api/internal/notifications',
        body,
        headers: internal,
      })),
      fc.string({ unit: 'binary', maxLength: 60 }).map((query) => ({
        method: 'GET',
        path: `/api/notifications?before=${encodeURIComponent(query)}&limit=${encodeURIComponent(query)}`,
      })),
    );
    const statuses = new Map<number, number>();
    const runs = Math.max(200, Math.round(PROFILE.fuzzCases / 5));
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const text = safeStringify(request.body);
        const response = await alice.request(
          request.method,
          request.path,
          request.body === undefined ? undefined : text,
          { 'content-type': 'application/json', ...(request.headers ?? {}) },
        );
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(
          response.status,
          `${request.method} ${request.path} ${text.slice(0, 200)}`,
        ).toBeLessThan(500);
      }),
      { numRuns: runs },
    );
    const fuzzRow = `${[...statuses]
      .sort(([left], [right]) => left - right)
      .map(([status, count]) => `${status} × ${count}`)
      .join(', ')}`;
    record('fuzz-http', {
      tried:
        'random JSON bodies, hostile ids in paths (prototype keys, key patterns, control characters, 129+ characters) and random query strings on post message, read, history, login, notifications and the three internal routes',
      amount: `${runs.toLocaleString('en-US')} requests`,
      result: `statuses: ${fuzzRow}; no 5xx`,
      figures: {
        requests: runs,
        ...Object.fromEntries([...statuses].map(([status, count]) => [`status_${status}`, count])),
      },
    });
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
  });
});

interface FuzzRequest {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function refOf(frame: FuzzFrame): string | undefined {
  if (frame.kind !== 'text') return undefined;
  const parsed = tryParse(frame.text);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { ref } = parsed as { ref?: unknown };
  return typeof ref === 'string' && ref.length <= 64 ? ref : undefined;
}
