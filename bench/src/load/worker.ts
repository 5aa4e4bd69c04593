/**
 * A load-generating client process. The orchestrator forks a few of these; each holds a share
 * of the sockets, publishes its share of the rate and measures what its sockets receive, so the
 * servers under test never share a process (or an event loop) with the load.
 */
import { now } from '../clock';
import { LatencyHistogram } from '../histogram';
import { runHttpLoad } from './http-load';
import { runProbe } from './probes';
import {
  type ChatClient,
  type ClientHandlers,
  createClient,
  type RecoverySession,
} from './clients';
import {
  type ClientKind,
  type CollectResult,
  type ConnectCommand,
  type ConnectResult,
  type PublishCommand,
  type PublishResult,
  type ReconnectPolicy,
  type ResumeReport,
  type SocketDeliveries,
  type SocketSpec,
  type StatsResult,
  type WorkerCommand,
  type WorkerReply,
  type WorkerRequest,
} from './ipc';

/** A message body: `step|writer socket id|writer counter|sent at (clock ms)`. */
export function encodeBody(step: number, writer: number, counter: number, sentAt: number): string {
  return `${step}|${writer}|${counter}|${sentAt.toFixed(3)}`;
}

const PUBLISH_TICK_MS = 2;

/** A seeded Fisher–Yates shuffle, so consecutive sends go to different rooms, run after run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = (seed * 2_654_435_761) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4_294_967_296;
  };
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
const RECONNECT_DEADLINE_MS = 60_000;
// The worker stops by itself if the orchestrator vanishes or the run overstays its welcome.
const MAX_LIFETIME_MS = Number(process.env.BENCH_WORKER_MAX_MS ?? 2 * 60 * 60 * 1000);

class SocketState {
  client: ChatClient | null = null;
  open = false;
  lastSeq: number | null = null;
  seen = new Set<number>();
  distinct = 0;
  duplicates = 0;
  perWriter = new Map<number, number>();
  gaps = 0;
  counter = 0;
  urlIndex = 0;
  closedAt: number | null = null;
  resumedAt: number | null = null;
  attempts = 0;
  /** socket.io's session id and last offset, carried from one connection to the next. */
  readonly recovery: RecoverySession = { pid: null, offset: null };
  /** Reconnects whose earlier session the server restored (socket.io connection state recovery). */
  recoveries = 0;

  constructor(readonly spec: SocketSpec) {}

  resetPeriod(): void {
    this.seen = new Set();
    this.distinct = 0;
    this.duplicates = 0;
    this.perWriter = new Map();
  }

  deliveries(withWriters: boolean): SocketDeliveries {
    return {
      id: this.spec.id,
      room: this.spec.room ?? '',
      distinct: this.distinct,
      duplicates: this.duplicates,
      ...(withWriters ? { perWriter: Object.fromEntries(this.perWriter) } : {}),
    };
  }
}

class LoadWorker {
  private kind: ClientKind = 'ws';
  private origin = '';
  private reconnect: ReconnectPolicy | null = null;
  private timeoutMs = 10_000;
  private readonly sockets: SocketState[] = [];
  private step = -1;
  private windowStart = 0;
  private windowEnd = 0;
  private histogram = new LatencyHistogram();
  private receivedInWindow = 0;
  private errors: Record<string, number> = {};
  private closes: Record<string, number> = {};
  private cpuAtReset = process.cpuUsage();
  private closing = false;
  private readonly reconnectFailures: Record<string, number> = {};

  async handle(command: WorkerCommand): Promise<unknown> {
    switch (command.type) {
      case 'clock':
        return now();
      case 'connect':
        return this.connect(command);
      case 'count':
        return this.sockets.reduce((sum, state) => sum + state.distinct, 0);
      case 'http':
        return runHttpLoad(command);
      case 'probe':
        return runProbe(command);
      case 'publish':
        return this.publish(command);
      case 'collect':
        return this.collect(command.step);
      case 'reset':
        this.reset(-1);
        return null;
      case 'resume-report':
        return this.resumeReport();
      case 'stats':
        return this.stats();
      case 'close':
        this.closing = true;
        for (const state of this.sockets) state.client?.close();
        return null;
    }
  }

  private async connect(command: ConnectCommand): Promise<ConnectResult> {
    this.kind = command.kind;
    this.origin = command.origin;
    this.reconnect = command.reconnect;
    this.timeoutMs = command.timeoutMs;
    const startedAt = now();
    const states = command.sockets.map((spec) => new SocketState(spec));
    this.sockets.push(...states);
    let next = 0;
    let connected = 0;
    const errors: string[] = [];
    const lane = async () => {
      while (next < states.length) {
        const state = states[next++]!;
        try {
          await this.establish(state, state.spec.urls[0]!, null);
          connected += 1;
        } catch (error) {
          if (errors.length < 5)
            errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, lane));
    return { connected, failed: states.length - connected, errors, durationMs: now() - startedAt };
  }

  /** Opens a connection for `state` and joins its room (resuming after `since` when given). */
  private async establish(state: SocketState, url: string, since: number | null): Promise<void> {
    const handlers: ClientHandlers = {
      onDelivery: (room, body, seq) => this.onDelivery(state, room, body, seq),
      onClose: (code) => this.onClose(state, client, code),
      onServerError: (code) => (this.errors[code] = (this.errors[code] ?? 0) + 1),
    };
    const client = createClient(this.kind, state.spec, handlers, this.origin, state.recovery);
    state.client = client;
    try {
      await client.open(url, this.timeoutMs);
      // A restored session is back in its rooms, with what it missed; as socket.io's docs
      // advise, only a socket that was not recovered joins again.
      if (client.recovered) state.recoveries += 1;
      else if (state.spec.role === 'member' && state.spec.room) {
        const lastSeq = await client.join(state.spec.room, since, this.timeoutMs);
        if (lastSeq !== null && (state.lastSeq === null || lastSeq > state.lastSeq)) {
          state.lastSeq = lastSeq;
        }
      }
    } catch (error) {
      // Detach first, so the close this causes is not taken for a lost connection.
      if (state.client === client) state.client = null;
      client.close();
      throw error;
    }
    state.open = true;
  }

  private onDelivery(state: SocketState, _room: string, body: string, seq: number | null): void {
    if (seq !== null) {
      if (state.lastSeq !== null && seq > state.lastSeq + 1) state.gaps += seq - state.lastSeq - 1;
      if (state.lastSeq === null || seq > state.lastSeq) state.lastSeq = seq;
    }
    const first = body.indexOf('|');
    const second = body.indexOf('|', first + 1);
    const third = body.indexOf('|', second + 1);
    if (third < 0) return;
    const step = Number(body.slice(0, first));
    if (step !== this.step) return;
    const writer = Number(body.slice(first + 1, second));
    const counter = Number(body.slice(second + 1, third));
    const key = writer * 1_000_000 + counter;
    if (state.seen.has(key)) {
      state.duplicates += 1;
      return;
    }
    state.seen.add(key);
    state.distinct += 1;
    state.perWriter.set(writer, (state.perWriter.get(writer) ?? 0) + 1);
    const receivedAt = now();
    if (receivedAt >= this.windowStart && receivedAt < this.windowEnd) this.receivedInWindow += 1;
    const sentAt = Number(body.slice(third + 1));
    if (sentAt >= this.windowStart && sentAt < this.windowEnd) {
      this.histogram.record(receivedAt - sentAt);
    }
  }

  private onClose(state: SocketState, client: ChatClient, code: number): void {
    if (state.client !== client) return;
    state.open = false;
    this.closes[code] = (this.closes[code] ?? 0) + 1;
    if (this.closing || !this.reconnect) return;
    state.closedAt ??= now();
    state.resumedAt = null;
    this.scheduleReconnect(state, 0);
  }

  private scheduleReconnect(state: SocketState, attempt: number): void {
    const policy = this.reconnect;
    if (!policy || this.closing) return;
    if (state.closedAt !== null && now() - state.closedAt > RECONNECT_DEADLINE_MS) return;
    const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
    setTimeout(() => {
      if (this.closing) return;
      state.attempts += 1;
      state.urlIndex = (state.urlIndex + 1) % state.spec.urls.length;
      this.establish(state, state.spec.urls[state.urlIndex]!, state.lastSeq)
        .then(() => {
          state.resumedAt = now();
        })
        .catch((error: unknown) => {
          const reason = error instanceof Error ? error.message.replace(/\d+/g, 'N') : 'unknown';
          this.reconnectFailures[reason] = (this.reconnectFailures[reason] ?? 0) + 1;
          this.scheduleReconnect(state, attempt + 1);
        });
    }, Math.random() * ceiling);
  }

  private async publish(command: PublishCommand): Promise<PublishResult> {
    if (command.step !== this.step) this.reset(command.step);
    this.windowStart = command.windowStart;
    this.windowEnd = command.windowEnd;
    const writers = shuffled(
      this.sockets.filter((state) =>
        command.from === 'members' ? state.spec.role === 'member' : state.spec.role === 'writer',
      ),
      command.step,
    );
    const sentPerRoom: Record<string, number> = {};
    const sentPerWriter: Record<string, number> = {};
    const total = Math.round((command.rate * command.durationMs) / 1000);
    if (writers.length === 0 || total === 0) {
      return { sentPerRoom, sentPerWriter, sent: 0, lagMs: 0 };
    }
    const startedAt = now();
    let sent = 0;
    let cursor = 0;
    let lagMs = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = now() - startedAt;
        const due = Math.min(total, Math.floor((elapsed * command.rate) / 1000));
        if (due - sent > command.rate * 0.05)
          lagMs = Math.max(lagMs, ((due - sent) * 1000) / command.rate);
        // Bounded both by count (`total`) and by time (the duration plus a grace period).
        let guard = writers.length;
        while (sent < due && guard > 0) {
          const writer = writers[cursor++ % writers.length]!;
          if (!writer.open || !writer.client || !writer.spec.room) {
            guard -= 1;
            continue;
          }
          guard = writers.length;
          writer.counter += 1;
          const body = encodeBody(command.step, writer.spec.id, writer.counter, now());
          writer.client.send(writer.spec.room, body, `${writer.spec.id}-${writer.counter}`);
          sent += 1;
          sentPerRoom[writer.spec.room] = (sentPerRoom[writer.spec.room] ?? 0) + 1;
          sentPerWriter[writer.spec.id] = (sentPerWriter[writer.spec.id] ?? 0) + 1;
        }
        if (sent >= total || elapsed > command.durationMs + 5_000) {
          clearInterval(timer);
          resolve();
        } else if (sent < due && guard === 0) {
          // Every writer is down: skip what is due rather than bursting it out later.
          sent = due;
        }
      };
      const timer = setInterval(tick, PUBLISH_TICK_MS);
    });
    return {
      sentPerRoom,
      sentPerWriter,
      sent: Object.values(sentPerRoom).reduce((a, b) => a + b, 0),
      lagMs,
    };
  }

  private reset(step: number): void {
    this.step = step;
    this.histogram = new LatencyHistogram();
    this.receivedInWindow = 0;
    this.errors = {};
    this.closes = {};
    this.cpuAtReset = process.cpuUsage();
    for (const state of this.sockets) state.resetPeriod();
  }

  private collect(step: number): CollectResult {
    const cpu = process.cpuUsage(this.cpuAtReset);
    const result: CollectResult = {
      histogram: this.histogram.snapshot(),
      receivedInWindow: this.receivedInWindow,
      sockets: this.sockets
        .filter((state) => state.spec.role === 'member')
        .map((state) => state.deliveries(false)),
      errors: this.errors,
      closes: this.closes,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    if (step === this.step) this.reset(-1);
    return result;
  }

  private resumeReport(): ResumeReport {
    const members = this.sockets.filter((state) => state.spec.role === 'member');
    return {
      resumes: members
        .filter((state) => state.closedAt !== null)
        .map((state) => ({
          id: state.spec.id,
          closedAt: state.closedAt!,
          resumedAt: state.resumedAt,
          attempts: state.attempts,
          recoveries: state.recoveries,
        })),
      sockets: members.map((state) => state.deliveries(true)),
      gaps: members.reduce((sum, state) => sum + state.gaps, 0),
      reconnectFailures: this.reconnectFailures,
    };
  }

  private stats(): StatsResult {
    const cpu = process.cpuUsage();
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBytes: process.memoryUsage.rss(),
      openSockets: this.sockets.filter((state) => state.open).length,
    };
  }
}

function main(): void {
  const worker = new LoadWorker();
  const reply = (message: WorkerReply) => process.send?.(message);
  process.on('message', (message: WorkerRequest) => {
    worker.handle(message.command).then(
      (result) => {
        reply({ id: message.id, ok: true, result });
        if (message.command.type === 'close') setTimeout(() => process.exit(0), 50);
      },
      (error: unknown) =>
        reply({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
}

if (require.main === module) main();
