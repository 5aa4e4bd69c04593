import { type ServerFrame } from '@chat/protocol';
import WebSocket from 'ws';

export interface SocketOptions {
  /** `sid=…` cookie header value, as HttpClient keeps it. */
  cookie?: string | null;
  bearer?: string;
  origin?: string;
  headers?: Record<string, string>;
}

export function wsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/ws/chat`;
}

function headersOf(options: SocketOptions): Record<string, string> {
  return {
    ...(options.cookie ? { cookie: options.cookie } : {}),
    ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
    ...(options.origin ? { origin: options.origin } : {}),
    ...options.headers,
  };
}

type Predicate = (frame: ServerFrame) => boolean;

/**
 * A raw `ws` client for black-box tests: keeps every frame, waits for frames by predicate
 * (bounded, never by sleeping), and records how the socket closed.
 */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    socket.on('error', () => undefined);
  }

  /** Opens a socket and waits for `ready`. */
  static async connect(baseUrl: string, options: SocketOptions = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(baseUrl, options);
    await socket.next('ready');
    return socket;
  }

  /** Opens a socket (no waiting for `ready`). */
  static open(baseUrl: string, options: SocketOptions = {}): Promise<TestSocket> {
    const socket = new WebSocket(wsUrl(baseUrl), {
      headers: headersOf(options),
      perMessageDeflate: false,
    });
    const client = new TestSocket(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`unexpected response ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** The HTTP status the server answered the upgrade with, when it refused it. */
  static refusal(baseUrl: string, options: SocketOptions = {}): Promise<number> {
    const socket = new WebSocket(wsUrl(baseUrl), { headers: headersOf(options) });
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        socket.terminate();
        reject(new Error('the upgrade was accepted (101)'));
      });
      socket.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('error', () => undefined);
    });
  }

  send(event: string, data: unknown, ref?: string): void {
    this.socket.send(JSON.stringify({ event, data, ...(ref ? { ref } : {}) }));
  }

  sendRaw(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** Waits for the first frame not taken yet that has this event (and matches), and takes it. */
  next<E extends ServerFrame['event']>(
    event: E,
    match: (frame: Extract<ServerFrame, { event: E }>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<Extract<ServerFrame, { event: E }>> {
    return this.waitFor(
      (frame) => frame.event === event && match(frame as Extract<ServerFrame, { event: E }>),
      timeoutMs,
      `"${event}"`,
    ) as Promise<Extract<ServerFrame, { event: E }>>;
  }

  /** Waits for the answer to the frame sent with `ref`, whatever its event (a reply or an error). */
  waitForRef(ref: string, timeoutMs = 5_000): Promise<ServerFrame> {
    return this.waitFor((frame) => frame.ref === ref, timeoutMs, `the answer to "${ref}"`);
  }

  /** Frames of this event received so far (taken or not). */
  all<E extends ServerFrame['event']>(event: E): Array<Extract<ServerFrame, { event: E }>> {
    return this.frames.filter((frame) => frame.event === event) as Array<
      Extract<ServerFrame, { event: E }>
    >;
  }

  /** Seqs of the `message.new` frames received so far for a conversation, in arrival order. */
  seqs(conversationId: string): number[] {
    return this.all('message.new')
      .filter((frame) => frame.data.conversationId === conversationId)
      .map((frame) => frame.data.message.seq);
  }

  /** Resolves once `condition` holds, re-checked on every frame (bounded). */
  async until(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (
      this.socket.readyState === WebSocket.OPEN ||
      this.socket.readyState === WebSocket.CONNECTING
    ) {
      this.socket.close(code);
    }
    return this.closed;
  }

  terminate(): void {
    this.socket.terminate();
  }

  private async waitFor(
    predicate: Predicate,
    timeoutMs: number,
    what: string,
  ): Promise<ServerFrame> {
    let found: ServerFrame | undefined;
    await this.until(
      () => {
        const index = this.frames.findIndex(
          (frame, position) => !this.taken.has(position) && predicate(frame),
        );
        if (index < 0) return false;
        this.taken.add(index);
        found = this.frames[index];
        return true;
      },
      timeoutMs,
      `${what} (received: ${this.frames.map((frame) => frame.event).join(', ') || 'nothing'})`,
    );
    return found!;
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
