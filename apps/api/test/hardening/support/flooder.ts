/**
 * A flood in its own process, so that the test process measuring other users' latency is not
 * slowed by the flood's own work. Run by floods.spec.ts as `node flooder.ts '<plan JSON>'`;
 * prints one JSON summary line when the plan's time is up. Plain TypeScript that Node runs
 * by stripping types: no enums, no parameter properties, imports with no path aliases.
 */
import WebSocket from 'ws';

interface FloodPlan {
  durationMs: number;
  /** ws:// URLs of the gateway on each instance. */
  endpoints: string[];
  /** http:// base URLs of each instance. */
  httpBases: string[];
  /**
   * Sockets that send `message.send` as fast as the server reads them (or `perSecond` in all),
   * reconnecting when cut.
   */
  frames?: {
    cookie: string;
    sockets: number;
    conversationId: string;
    forwardedFor: string;
    perSecond?: number;
  };
  /** HTTP posts of messages with `concurrency` in flight (at most `perSecond` in all). */
  http?: { cookie: string; conversationId: string; concurrency: number; perSecond?: number };
  /** WebSocket upgrades with `concurrency` in flight from one (forwarded) address. */
  connect?: { cookie: string; forwardedFor: string; concurrency: number; perSecond?: number };
}

const plan = JSON.parse(process.argv[2] ?? '{}') as FloodPlan;
const endsAt = Date.now() + plan.durationMs;
const running = () => Date.now() < endsAt;
const count = (counts: Record<string, number>, key: string | number) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

const summary = {
  frames: {
    sent: 0,
    acks: 0,
    errors: {} as Record<string, number>,
    closes: {} as Record<string, number>,
    upgrades: {} as Record<string, number>,
  },
  http: { sent: 0, statuses: {} as Record<string, number> },
  connect: { attempts: 0, statuses: {} as Record<string, number> },
};

let sequence = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits out what is left of one worker's share of a rate (nothing when unpaced). */
async function pace(startedAt: number, workers: number, perSecond: number | undefined) {
  if (!perSecond) return;
  await sleep(Math.max(0, (workers * 1000) / perSecond - (Date.now() - startedAt)));
}

function frameFlooder(index: number, options: NonNullable<FloodPlan['frames']>): Promise<void> {
  return new Promise((resolve) => {
    const open = () => {
      if (!running()) return resolve();
      const url = plan.endpoints[index % plan.endpoints.length]!;
      const socket = new WebSocket(url, {
        headers: { cookie: options.cookie, 'x-forwarded-for': options.forwardedFor },
      });
      let pump: NodeJS.Timeout | undefined;
      let opened = false;
      socket.on('unexpected-response', (_request, response) => {
        count(summary.frames.upgrades, response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => {
        opened = true;
        count(summary.frames.upgrades, 101);
        // Bursts of frames, yielding between them so this process's other floods run too;
        // paced, one frame per tick.
        const perTick = options.perSecond ? 1 : 50;
        const tickMs = options.perSecond ? (options.sockets * 1000) / options.perSecond : 1;
        const burst = () => {
          for (let index = 0; index < perTick; index++) {
            if (!running() || socket.readyState !== WebSocket.OPEN) break;
            // Keep the kernel buffers full, no more: the server is the one that must push back.
            if (socket.bufferedAmount >= 64 * 1024) break;
            sequence++;
            summary.frames.sent++;
            socket.send(
              JSON.stringify({
                event: 'message.send',
                data: {
                  conversationId: options.conversationId,
                  body: `flood ${sequence}`,
                  clientMessageId: `flood-${process.pid}-${sequence}`,
                },
                ref: `f${sequence}`,
              }),
            );
          }
          if (!running()) socket.close(1000);
          else if (socket.readyState === WebSocket.OPEN) pump = setTimeout(burst, tickMs);
        };
        burst();
      });
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { event: string; data: { code?: string } };
        if (frame.event === 'message.ack') summary.frames.acks++;
        if (frame.event === 'error') count(summary.frames.errors, frame.data.code ?? 'unknown');
      });
      socket.on('error', () => undefined);
      socket.on('close', (code) => {
        clearTimeout(pump);
        if (opened) count(summary.frames.closes, code);
        // Straight back, as a hostile client would: the per-address upgrade limit applies.
        setTimeout(open, 10);
      });
    };
    open();
  });
}

async function httpFlooder(worker: number, options: NonNullable<FloodPlan['http']>): Promise<void> {
  while (running()) {
    const startedAt = Date.now();
    const base = plan.httpBases[worker % plan.httpBases.length]!;
    sequence++;
    summary.http.sent++;
    try {
      const response = await fetch(
        `${base}/api/chat/conversations/${options.conversationId}/messages`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: options.cookie },
          body: JSON.stringify({
            body: `http flood ${sequence}`,
            clientMessageId: `http-${process.pid}-${sequence}`,
          }),
        },
      );
      await response.arrayBuffer();
      count(summary.http.statuses, response.status);
    } catch {
      count(summary.http.statuses, 'error');
    }
    await pace(startedAt, options.concurrency, options.perSecond);
  }
}

async function connectFlooder(
  worker: number,
  options: NonNullable<FloodPlan['connect']>,
): Promise<void> {
  while (running()) {
    const startedAt = Date.now();
    const url = plan.endpoints[worker % plan.endpoints.length]!;
    summary.connect.attempts++;
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(url, {
        headers: { cookie: options.cookie, 'x-forwarded-for': options.forwardedFor },
      });
      socket.on('open', () => {
        socket.terminate();
        resolve(101);
      });
      socket.on('unexpected-response', (_request, response) => {
        socket.terminate();
        resolve(response.statusCode ?? 0);
      });
      socket.on('error', () => resolve(0));
    });
    count(summary.connect.statuses, status);
    await pace(startedAt, options.concurrency, options.perSecond);
  }
}

async function main(): Promise<void> {
  const work: Array<Promise<void>> = [];
  if (plan.frames) {
    for (let index = 0; index < plan.frames.sockets; index++)
      work.push(frameFlooder(index, plan.frames));
  }
  if (plan.http) {
    for (let worker = 0; worker < plan.http.concurrency; worker++)
      work.push(httpFlooder(worker, plan.http));
  }
  if (plan.connect) {
    for (let worker = 0; worker < plan.connect.concurrency; worker++)
      work.push(connectFlooder(worker, plan.connect));
  }
  process.stderr.write('flooding\n');
  await Promise.all(work);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(0);
}

void main();
