import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** WebSocket opcodes (RFC 6455 §5.2). */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface FrameOptions {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** Reserved bits as a 3-bit number: 0b100 is RSV1. */
  rsv?: number;
  /** Client frames must be masked; `false` sends one unmasked. */
  masked?: boolean;
  /** Overrides the length written in the header (the payload sent stays as given). */
  declaredLength?: bigint;
}

/** Encodes one frame exactly as asked, including what a conforming client would never send. */
export function encodeFrame(options: FrameOptions): Buffer {
  const payload =
    typeof options.payload === 'string'
      ? Buffer.from(options.payload)
      : (options.payload ?? Buffer.alloc(0));
  const masked = options.masked ?? true;
  const length = options.declaredLength ?? BigInt(payload.length);
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | options.opcode;
  let header: Buffer;
  if (length < 126n) {
    header = Buffer.from([first, (masked ? 0x80 : 0) | Number(length)]);
  } else if (length < 65_536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let index = 0; index < body.length; index++) body[index]! ^= mask[index % 4]!;
  return Buffer.concat([header, mask, body]);
}

export interface ServerFrameRaw {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

/**
 * A WebSocket client on a bare TCP socket: it performs the upgrade by hand and then writes
 * whatever bytes a test wants, below anything the `ws` client would check.
 */
export class RawWebSocket {
  readonly frames: ServerFrameRaw[] = [];
  /** Resolves when the TCP connection ends, with the close code the server sent, if any. */
  readonly ended: Promise<{ closeCode: number | null; afterMs: number }>;
  private buffer = Buffer.alloc(0);
  private upgraded = false;
  private readonly openedAt = Date.now();
  private wake: (() => void) | null = null;

  private constructor(
    readonly socket: Socket,
    readonly response: Promise<{ status: number; head: string }>,
  ) {
    this.ended = new Promise((resolve) => {
      socket.once('close', () => {
        const close = this.frames.find((frame) => frame.opcode === Opcode.close);
        resolve({
          closeCode: close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null,
          afterMs: Date.now() - this.openedAt,
        });
        this.wake?.();
      });
    });
  }

  /** Opens a TCP connection and sends the upgrade request (with `headers`). */
  static open(
    port: number,
    headers: Record<string, string | string[]> = {},
    path = '/ws/chat',
  ): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answer!: (value: { status: number; head: string }) => void;
      const response = new Promise<{ status: number; head: string }>((settle) => {
        answer = settle;
      });
      const client = new RawWebSocket(socket, response);
      socket.on('data', (chunk: Buffer) => client.onData(chunk, answer));
      socket.on('error', () => undefined);
      socket.once('close', () => answer({ status: 0, head: '' }));
      socket.once('connect', () => {
        const lines = [
          `GET ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          ...(Object.keys(headers).some((name) => name.toLowerCase() === 'sec-websocket-version')
            ? []
            : ['Sec-WebSocket-Version: 13']),
          ...Object.entries(headers).flatMap(([name, value]) =>
            // An array sends the header once per value.
            (Array.isArray(value) ? value : [value]).map((item) => `${name}: ${item}`),
          ),
        ];
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        resolve(client);
      });
      socket.once('error', reject);
    });
  }

  /** Opens, expects the 101, and waits for the `ready` frame. */
  static async ready(port: number, headers: Record<string, string>): Promise<RawWebSocket> {
    const client = await RawWebSocket.open(port, headers);
    const { status, head } = await client.response;
    if (status !== 101) throw new Error(`expected 101, got ${status}: ${head}`);
    await client.nextText((text) => text.includes('"event":"ready"'));
    return client;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  sendText(text: string): void {
    this.write(encodeFrame({ opcode: Opcode.text, payload: text }));
  }

  /** Text frames received so far, decoded. */
  texts(): string[] {
    return this.frames
      .filter((frame) => frame.opcode === Opcode.text)
      .map((frame) => frame.payload.toString('utf8'));
  }

  /** Waits (bounded) for a text frame that matches. */
  async nextText(match: (text: string) => boolean, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.texts().find(match);
      if (found !== undefined) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.socket.destroyed) {
        throw new Error(`no matching text frame (received: ${this.texts().join(' | ')})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Waits for the end of the connection, bounded by `timeoutMs`. */
  async closed(timeoutMs = 10_000): Promise<{ closeCode: number | null; afterMs: number }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the server kept the connection open for ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer, answer: (value: { status: number; head: string }) => void): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      this.buffer = this.buffer.subarray(end + 4);
      this.upgraded = status === 101;
      answer({ status, head });
      if (!this.upgraded) return;
    }
    this.parseFrames();
    this.wake?.();
  }

  private parseFrames(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const first = this.buffer[0]!;
      const second = this.buffer[1]!;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      this.frames.push({
        opcode: first & 0x0f,
        fin: (first & 0x80) !== 0,
        payload: Buffer.from(this.buffer.subarray(offset, offset + length)),
      });
      this.buffer = this.buffer.subarray(offset + length);
    }
  }
}
