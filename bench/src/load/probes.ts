import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { within } from '@chat/test-support';
import { now } from '../clock';
import { LatencyHistogram } from '../histogram';
import { type ProbeCommand, type ProbeResult } from './ipc';

interface Sample {
  status: string;
  bytes: number;
}

// Across commands: a clientMessageId used again is an idempotent retry (200), not a new post.
let posted = 0;

/** One HTTP exchange on a kept-alive connection; resolves once the whole body is in. */
function exchange(
  agent: Agent,
  url: URL,
  method: 'GET' | 'POST',
  cookie: string,
  payload: string | null,
): Promise<Sample> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { cookie };
    if (payload !== null) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
      },
      (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => resolve({ status: String(response.statusCode), bytes }));
      },
    );
    outgoing.on('error', (error) => resolve({ status: `error ${error.message}`, bytes: 0 }));
    outgoing.end(payload ?? undefined);
  });
}

/** Opens a socket with the session, waits for its first frame (`ready`), closes it. */
async function openUntilReady(command: ProbeCommand): Promise<Sample> {
  const socket = new WebSocket(command.url, {
    headers: { authorization: `Bearer ${command.session}`, origin: command.origin },
    perMessageDeflate: false,
    handshakeTimeout: command.timeoutMs,
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  try {
    const frame = await within(
      new Promise<Sample>((resolve, reject) => {
        socket.once('message', (data: Buffer) => {
          const event = (JSON.parse(data.toString()) as { event?: string }).event;
          resolve({ status: event ?? 'unknown', bytes: data.length });
        });
        socket.once('unexpected-response', (_request, response) =>
          reject(new Error(`handshake answered ${response.statusCode}`)),
        );
        socket.once('error', reject);
      }),
      command.timeoutMs,
      'ready',
    );
    return frame;
  } catch (error) {
    return { status: error instanceof Error ? error.message : String(error), bytes: 0 };
  } finally {
    socket.close();
    // The next sample starts once this socket is gone on both ends.
    await within(closed, command.timeoutMs, 'close').catch(() => socket.terminate());
  }
}

/**
 * Sequential samples of one request, each timed from its start to its last byte: a GET, a chat
 * message POST, or a socket from the upgrade request to its `ready` frame. The first `warmup`
 * are not recorded.
 */
export async function runProbe(command: ProbeCommand): Promise<ProbeResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(command.url);
  const cookie = `${command.cookieName}=${encodeURIComponent(command.session)}`;
  const latency = new LatencyHistogram();
  const statuses: Record<string, number> = {};
  let minBytes = Infinity;
  let maxBytes = 0;
  const once = (): Promise<Sample> => {
    switch (command.kind) {
      case 'get':
        return exchange(agent, url, 'GET', cookie, null);
      case 'post':
        posted += 1;
        return exchange(
          agent,
          url,
          'POST',
          cookie,
          JSON.stringify({
            body: `Scale probe ${posted}: is the late check-out still possible?`,
            clientMessageId: `scale-probe-${process.pid}-${posted}`,
          }),
        );
      case 'ready':
        return openUntilReady(command);
    }
  };
  try {
    for (let index = 0; index < command.warmup + command.samples; index++) {
      const startedAt = now();
      const sample = await once();
      const elapsed = now() - startedAt;
      if (index < command.warmup) continue;
      latency.record(elapsed);
      statuses[sample.status] = (statuses[sample.status] ?? 0) + 1;
      minBytes = Math.min(minBytes, sample.bytes);
      maxBytes = Math.max(maxBytes, sample.bytes);
    }
  } finally {
    agent.destroy();
  }
  return {
    latency: latency.snapshot(),
    bytes: { min: Number.isFinite(minBytes) ? minBytes : 0, max: maxBytes },
    statuses,
  };
}
