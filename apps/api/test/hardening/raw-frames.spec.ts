import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_SERVER_LIMITS } from '../../src/app.factory';
import { type ApiInstance, startApi } from '../support/api-instance';
import { expectEventually } from '@chat/test-support';
import { DEMO } from '../support/http-client';
import { metric, signIn } from '../support/realtime';
import { RedisServer } from '../support/redis-server';
import { encodeFrame, type FrameOptions, Opcode, RawWebSocket } from './support/raw-websocket';
import { record } from './support/results';

const KiB = 1024;

/**
 * Frames below what the `ws` client would let a test send, written on a bare TCP socket: the
 * gateway must close with the RFC 6455 code for each violation, and stay healthy for others.
 */
describe('raw frames and handshakes (node:net, below the ws client)', () => {
  let redis: RedisServer;
  let api: ApiInstance;
  let port: number;
  let cookie: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
    api = await startApi({
      REDIS_URL: redis.url,
      DEMO_SEED: 'true',
      WS_MAX_SOCKETS_PER_USER: '200',
    });
    port = Number(new URL(api.baseUrl).port);
    cookie = (await signIn(api, DEMO.alice)).cookie;
  });
  afterAll(async () => {
    await api?.close();
    await redis?.dispose();
  });

  /** Sends `frames` on a fresh socket after `ready` and returns how the server ended it. */
  async function violate(frames: FrameOptions[]) {
    const socket = await RawWebSocket.ready(port, { cookie });
    for (const frame of frames) socket.write(encodeFrame(frame));
    return socket.closed();
  }

  /** A fresh socket still gets `pong`, and no socket is left open behind the closed ones. */
  async function expectHealthy() {
    const socket = await RawWebSocket.ready(port, { cookie });
    socket.sendText('{"event":"ping","data":{},"ref":"alive"}');
    await socket.nextText((text) => text.includes('"ref":"alive"'));
    await expectEventually(async () => expect(await metric(api, 'chat_ws_open_sockets')).toBe(1));
    socket.destroy();
  }

  async function runCases(cases: Array<[string, FrameOptions[]]>) {
    const outcomes: Array<{ name: string; closeCode: number | null; afterMs: number }> = [];
    for (const [name, frames] of cases) outcomes.push({ name, ...(await violate(frames)) });
    return outcomes;
  }

  const summary = (outcomes: Array<{ closeCode: number | null; afterMs: number }>) => {
    const codes = [...new Set(outcomes.map((outcome) => outcome.closeCode))].join(', ');
    const slowest = Math.max(...outcomes.map((outcome) => outcome.afterMs));
    return { codes, slowest };
  };

  it('closes with 1007 on invalid UTF-8, whole or split across fragments', async () => {
    const text = (payload: Buffer, fin = true): FrameOptions => ({
      opcode: Opcode.text,
      payload,
      fin,
    });
    const cases: Array<[string, FrameOptions[]]> = [
      ['0xFF byte', [text(Buffer.from([0x7b, 0xff, 0x7d]))]],
      ['overlong encoding', [text(Buffer.from([0x22, 0xc0, 0xaf, 0x22]))]],
      ['UTF-16 surrogate', [text(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))]],
      ['truncated sequence', [text(Buffer.from([0x22, 0xe2, 0x82]))]],
      [
        'invalid byte in the last fragment',
        [
          text(Buffer.from('{"event":"ping","data":{"x":"'), false),
          { opcode: Opcode.continuation, payload: Buffer.from([0xfe, 0x22, 0x7d, 0x7d]) },
        ],
      ],
      [
        'invalid close reason',
        [{ opcode: Opcode.close, payload: Buffer.from([0x03, 0xe8, 0xff, 0xfe]) }],
      ],
    ];
    const outcomes = await runCases(cases);
    // A valid character split between two fragments is not an error.
    const split = await RawWebSocket.ready(port, { cookie });
    const accent = Buffer.from('é');
    split.write(
      encodeFrame({
        opcode: Opcode.text,
        fin: false,
        payload: Buffer.concat([
          Buffer.from('{"event":"ping","data":{},"ref":"caf'),
          accent.subarray(0, 1),
        ]),
      }),
    );
    split.write(
      encodeFrame({
        opcode: Opcode.continuation,
        payload: Buffer.concat([accent.subarray(1), Buffer.from('"}')]),
      }),
    );
    await split.nextText((frame) => frame.includes('"ref":"café"'));
    split.destroy();

    const { codes, slowest } = summary(outcomes);
    record('raw-utf8', {
      tried:
        'text frames with a 0xFF byte, an overlong encoding, a UTF-16 surrogate, a truncated sequence, invalid bytes in a later fragment, an invalid close reason',
      amount: `${cases.length} violations, each on its own socket; 1 valid character split across fragments`,
      result: `every socket closed with ${codes}, at most ${slowest} ms after connecting; the split character was answered`,
      figures: { cases: cases.length, closeCodes: codes, slowestCloseMs: slowest },
    });
    for (const outcome of outcomes)
      expect(outcome, outcome.name).toMatchObject({ closeCode: 1007 });
    await expectHealthy();
  });

  it('closes with 1002 on reserved bits, unknown opcodes and broken fragmentation', async () => {
    const ping = '{"event":"ping","data":{}}';
    const cases: Array<[string, FrameOptions[]]> = [
      ...[0b100, 0b010, 0b001].map((rsv): [string, FrameOptions[]] => [
        `RSV ${rsv.toString(2).padStart(3, '0')}`,
        [{ opcode: Opcode.text, payload: ping, rsv }],
      ]),
      ...[0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf].map(
        (opcode): [string, FrameOptions[]] => [
          `opcode 0x${opcode.toString(16)}`,
          [{ opcode, payload: ping }],
        ],
      ),
      ['continuation without a start', [{ opcode: Opcode.continuation, payload: ping }]],
      [
        'new message inside a fragmented one',
        [
          { opcode: Opcode.text, payload: '{"event":', fin: false },
          { opcode: Opcode.text, payload: ping },
        ],
      ],
      ['control frame over 125 bytes', [{ opcode: Opcode.ping, payload: Buffer.alloc(126) }]],
      ['fragmented control frame', [{ opcode: Opcode.ping, payload: 'x', fin: false }]],
      [
        'close code 1005 on the wire',
        [{ opcode: Opcode.close, payload: Buffer.from([0x03, 0xed]) }],
      ],
      ['close code 999', [{ opcode: Opcode.close, payload: Buffer.from([0x03, 0xe7]) }]],
      ['one-byte close payload', [{ opcode: Opcode.close, payload: Buffer.from([0x03]) }]],
    ];
    const outcomes = await runCases(cases);
    const { codes, slowest } = summary(outcomes);
    record('raw-rsv-opcode', {
      tried:
        'RSV1/2/3 without an extension, opcodes 0x3–0x7 and 0xB–0xF, a stray continuation, a message inside a fragmented one, a 126-byte ping, a fragmented ping, close codes 1005 and 999, a 1-byte close payload',
      amount: `${cases.length} violations, each on its own socket`,
      result: `every socket closed with ${codes}, at most ${slowest} ms after connecting`,
      figures: { cases: cases.length, closeCodes: codes, slowestCloseMs: slowest },
    });
    for (const outcome of outcomes)
      expect(outcome, outcome.name).toMatchObject({ closeCode: 1002 });
    await expectHealthy();
  });

  it('closes with 1002 on an unmasked client frame', async () => {
    const cases: Array<[string, FrameOptions[]]> = [
      [
        'unmasked text',
        [{ opcode: Opcode.text, payload: '{"event":"ping","data":{}}', masked: false }],
      ],
      ['unmasked ping', [{ opcode: Opcode.ping, payload: 'x', masked: false }]],
      [
        'unmasked continuation',
        [
          { opcode: Opcode.text, payload: '{"event":"ping",', fin: false },
          { opcode: Opcode.continuation, payload: '"data":{}}', masked: false },
        ],
      ],
    ];
    const outcomes = await runCases(cases);
    const { codes, slowest } = summary(outcomes);
    record('raw-unmasked', {
      tried: 'an unmasked text frame, ping, and continuation after a masked start',
      amount: `${cases.length} violations, each on its own socket`,
      result: `every socket closed with ${codes}, at most ${slowest} ms after connecting`,
      figures: { cases: cases.length, closeCodes: codes, slowestCloseMs: slowest },
    });
    for (const outcome of outcomes)
      expect(outcome, outcome.name).toMatchObject({ closeCode: 1002 });
    await expectHealthy();
  });

  it('closes with 1009 when fragments add up past 64 KiB, and accepts a fragmented message under it', async () => {
    const fragments = (count: number, size: number): FrameOptions[] =>
      Array.from({ length: count }, (_, index) => ({
        opcode: index === 0 ? Opcode.text : Opcode.continuation,
        payload: Buffer.alloc(size, 0x61),
        fin: index === count - 1,
      }));
    const cases: Array<[string, FrameOptions[]]> = [
      ['3 × 30 KiB', fragments(3, 30 * KiB)],
      ['100 × 1 KiB', fragments(100, KiB)],
      // Announced, never sent: refused from the header alone, nothing is buffered.
      ['a 2^62-byte length in the header', [{ opcode: Opcode.text, declaredLength: 2n ** 62n }]],
    ];
    const outcomes = await runCases(cases);

    const under = await RawWebSocket.ready(port, { cookie });
    const start = '{"event":"ping","data":{"padding":"';
    under.write(encodeFrame({ opcode: Opcode.text, payload: start, fin: false }));
    for (let index = 0; index < 3; index++) {
      under.write(
        encodeFrame({ opcode: Opcode.continuation, payload: 'x'.repeat(20 * KiB), fin: false }),
      );
    }
    under.write(encodeFrame({ opcode: Opcode.continuation, payload: '"},"ref":"60k"}' }));
    await under.nextText((text) => text.includes('"ref":"60k"'));
    under.destroy();

    const { codes, slowest } = summary(outcomes);
    record('raw-oversize', {
      tried:
        'a message in fragments that are each under 64 KiB but together over it; a header announcing 2^62 bytes',
      amount: '3 × 30 KiB, 100 × 1 KiB, 1 header; control: 60 KiB in 5 fragments',
      result: `every socket closed with ${codes}, at most ${slowest} ms after connecting; the 60 KiB message was answered`,
      figures: { cases: cases.length, closeCodes: codes, slowestCloseMs: slowest },
    });
    for (const outcome of outcomes)
      expect(outcome, outcome.name).toMatchObject({ closeCode: 1009 });
    await expectHealthy();
  });

  it('drops half-finished handshakes within the header timeout while serving everyone else', async () => {
    const bound = HTTP_SERVER_LIMITS.headersTimeoutMs + HTTP_SERVER_LIMITS.checkIntervalMs + 1_000;
    const kinds = ['no bytes', 'request line only', 'headers without the blank line', 'slowloris'];
    const perKind = 25;
    const started = Date.now();
    const stillOpen: string[] = [];
    const pending = kinds.flatMap((kind) =>
      Array.from({ length: perKind }, () => {
        const openedAt = Date.now();
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        stillOpen.push(kind);
        let drip: NodeJS.Timeout | undefined;
        socket.once('connect', () => {
          if (kind === 'request line only') socket.write('GET /ws/chat HTTP/1.1\r\n');
          if (kind === 'headers without the blank line') {
            socket.write(
              `GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nCookie: ${cookie}\r\n`,
            );
          }
          if (kind === 'slowloris') {
            socket.write('GET /ws/chat HTTP/1.1\r\n');
            drip = setInterval(() => socket.write(`X-Drip-${Date.now()}: 1\r\n`), 500);
          }
        });
        return new Promise<{ kind: string; afterMs: number; answer: string }>((resolve) =>
          socket.once('close', () => {
            stillOpen.splice(stillOpen.indexOf(kind), 1);
            clearInterval(drip);
            resolve({ kind, afterMs: Date.now() - openedAt, answer: answer.split('\r\n')[0]! });
          }),
        );
      }),
    );
    // Meanwhile a real client connects and is served.
    const served = await RawWebSocket.ready(port, { cookie });
    served.sendText('{"event":"ping","data":{},"ref":"meanwhile"}');
    await served.nextText((text) => text.includes('"ref":"meanwhile"'));
    const servedAfterMs = Date.now() - started;
    served.destroy();

    let timer: NodeJS.Timeout | undefined;
    const outcomes = await Promise.race([
      Promise.all(pending),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`still open after ${bound} ms: ${stillOpen.join(', ')}`)),
          bound + 2_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const slowest = Math.max(...outcomes.map((outcome) => outcome.afterMs));
    const answers = [...new Set(outcomes.map((outcome) => outcome.answer))];
    record('raw-half-handshake', {
      tried:
        'TCP connections that send nothing, only the request line, headers without the final blank line, or one header every 500 ms (slowloris)',
      amount: `${outcomes.length} connections held open at once (${perKind} of each kind)`,
      result: `all dropped (${answers.join(', ')}) after at most ${(slowest / 1000).toFixed(1)} s (headers timeout ${HTTP_SERVER_LIMITS.headersTimeoutMs / 1000} s); a real client was served meanwhile in ${servedAfterMs} ms`,
      figures: {
        connections: outcomes.length,
        slowestDropMs: slowest,
        headersTimeoutMs: HTTP_SERVER_LIMITS.headersTimeoutMs,
        servedMeanwhileMs: servedAfterMs,
      },
    });
    expect(slowest).toBeLessThanOrEqual(bound);
    expect(answers).toEqual(['HTTP/1.1 408 Request Timeout']);
    await expectHealthy();
  });
});
