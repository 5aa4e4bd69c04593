import fc from 'fast-check';
import { type ClientEvent, MAX_FRAME_BYTES } from '@chat/protocol';

/** Ids a hostile client would try: prototype keys, key-pattern characters, paths, huge, empty. */
export const hostileId = fc.oneof(
  fc.constantFrom(
    'th_bk_1001',
    'th_bk_2001',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '*',
    'chat:*',
    '../th_bk_1001',
    'th_bk_1001\u0000',
    'th_bk_1001 ',
    '',
    'x'.repeat(129),
    '$where',
    '{"$gt":""}',
  ),
  fc.string({ unit: 'binary', maxLength: 140 }),
);

/** Numbers at every edge a seq or a limit can have. */
export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 1e308, 0.5, -0),
  fc.integer(),
  fc.double(),
);

/** Any JSON-ish value, hostile objects included. */
export const anyValue = fc.oneof(
  fc.anything({
    withBigInt: false,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
  }),
  fc.jsonValue(),
  hostileId,
  hostileNumber,
);

const ref = fc.option(
  fc.oneof(
    fc.string({ maxLength: 64 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    hostileNumber,
  ),
  { nil: undefined },
);

/** A `data` object that has the right field names with values that may or may not be valid. */
const nearData = fc.record(
  {
    conversationId: fc.oneof(hostileId, anyValue),
    since: fc.oneof(hostileNumber, anyValue),
    seq: fc.oneof(hostileNumber, anyValue),
    body: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom(
        ' ',
        '\u200b',
        '\n\t',
        '@alice @linh @somchai @bob @grace @vu',
        'x'.repeat(4_001),
      ),
      anyValue,
    ),
    clientMessageId: fc.oneof(fc.string({ maxLength: 70 }), anyValue),
  },
  { requiredKeys: [] },
);

/** A valid frame for each client event (the conversation may still be out of the user's scope). */
export const validFrames: Record<ClientEvent, fc.Arbitrary<Record<string, unknown>>> = {
  subscribe: fc.record({
    // Ids are 1-128 letters, digits, `_` and `-`: prototype keys among them, key patterns not.
    conversationId: fc.oneof(
      hostileId.filter((id) => /^[A-Za-z0-9_-]{1,128}$/.test(id)),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/),
    ),
    since: fc.option(fc.nat(), { nil: undefined }),
  }),
  unsubscribe: fc.record({
    conversationId: fc.constantFrom('th_bk_1001', 'th_bk_2001', 'th_none'),
  }),
  'message.send': fc.record({
    conversationId: fc.constantFrom('th_bk_1001', 'th_bk_2001', 'th_none'),
    body: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 300 })
      .filter((body) => body.trim().length > 0),
    clientMessageId: fc.uuid(),
  }),
  typing: fc.record({ conversationId: fc.constantFrom('th_bk_1001', 'th_bk_2001', 'th_none') }),
  read: fc.record({ conversationId: fc.constantFrom('th_bk_1001', 'th_bk_2001'), seq: fc.nat() }),
  ping: fc.constant({}),
};

export type FuzzFrame = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Uint8Array };

const eventName = fc.oneof(
  fc.constantFrom(...(Object.keys(validFrames) as ClientEvent[])),
  fc.constantFrom('ready', 'message.new', 'error', 'pong', '__proto__', 'constructor', ''),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

const withRef = (frame: Record<string, unknown>, value: unknown) =>
  value === undefined ? frame : { ...frame, ref: value };

/**
 * Frames a hostile or broken client might send: random text, random JSON, envelopes with near-
 * valid or random data, binary, and valid frames (also answered, by forbidden when out of scope).
 */
export const fuzzFrame: fc.Arbitrary<FuzzFrame> = fc
  .oneof(
    {
      weight: 2,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 300 })
        .map((text): FuzzFrame => ({ kind: 'text', text })),
    },
    {
      weight: 2,
      arbitrary: fc
        .jsonValue()
        .map((value): FuzzFrame => ({ kind: 'text', text: JSON.stringify(value) ?? 'null' })),
    },
    {
      weight: 5,
      arbitrary: fc
        .tuple(eventName, fc.oneof(nearData, anyValue), ref)
        .map(([event, data, frameRef]): FuzzFrame => ({
          kind: 'text',
          text: safeStringify(withRef({ event, data }, frameRef)),
        })),
    },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...(Object.keys(validFrames) as ClientEvent[]))
        .chain((event) => fc.tuple(fc.constant(event), validFrames[event], ref))
        .map(([event, data, frameRef]): FuzzFrame => ({
          kind: 'text',
          text: safeStringify(withRef({ event, data }, frameRef)),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 300 })
        .map((bytes): FuzzFrame => ({ kind: 'binary', bytes })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('{', '[', '"', '{"event":"subscribe","data":', '{"event":'),
          fc.string({ maxLength: 50 }),
        )
        .map(([start, rest]): FuzzFrame => ({ kind: 'text', text: `${start}${rest}` })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 40 }).map((depth): FuzzFrame => ({
        kind: 'text',
        text: `${'['.repeat(depth * 100)}${']'.repeat(depth * 100)}`,
      })),
    },
  )
  .filter(
    (frame) =>
      (frame.kind === 'text' ? Buffer.byteLength(frame.text) : frame.bytes.length) <=
      MAX_FRAME_BYTES,
  );

/** JSON.stringify that survives what `fc.anything` produces (cycles are not generated; BigInt is off). */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
}
