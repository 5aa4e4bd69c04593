import { Agent, request } from 'node:http';
import { now } from '../clock';
import { LatencyHistogram } from '../histogram';
import { type HttpCommand, type HttpLoadResult } from './ipc';

// Across commands: a clientMessageId used again is an idempotent retry (200), not a new post.
let posted = 0;

/** Posts chat messages over keep-alive connections: first one at a time, then concurrently. */
export async function runHttpLoad(command: HttpCommand): Promise<HttpLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: command.concurrency });
  const url = new URL(command.url);
  const statuses: Record<string, number> = {};
  let errors = 0;

  const post = () =>
    new Promise<void>((resolve) => {
      posted += 1;
      const payload = JSON.stringify({
        body: `http path ${posted}`,
        clientMessageId: `http-${process.pid}-${posted}`,
      });
      const outgoing = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            cookie: command.cookie,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (response) => {
          const status = String(response.statusCode);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (response.statusCode !== 201) errors += 1;
          response.resume();
          response.on('end', () => resolve());
        },
      );
      outgoing.on('error', () => {
        errors += 1;
        resolve();
      });
      outgoing.end(payload);
    });

  const sequential = new LatencyHistogram();
  for (let index = 0; index < command.sequential; index++) {
    const startedAt = now();
    await post();
    sequential.record(now() - startedAt);
  }

  const load = new LatencyHistogram();
  const loadStartedAt = now();
  const deadline = loadStartedAt + command.durationMs;
  const lane = async () => {
    while (now() < deadline) {
      const startedAt = now();
      await post();
      load.record(now() - startedAt);
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  const loadDurationMs = now() - loadStartedAt;
  agent.destroy();
  return {
    sequential: sequential.snapshot(),
    load: load.snapshot(),
    loadCount: load.count,
    loadDurationMs,
    errors,
    statuses,
  };
}
