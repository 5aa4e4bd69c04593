import { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** How long the proxy waits for a TCP connection to the API before answering 502. */
export const CONNECT_TIMEOUT_MS = 3_000;

// RFC 9110 §7.6.1 connection-specific headers, plus those the proxy sets itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

// Node's own HTTP client: its native parser costs a fraction of fetch's per request, and the
// body goes on as it came. Connections are kept alive.
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

/** Where the API listens, read per request so one image runs anywhere. */
export function apiBaseUrl(environment: Record<string, string | undefined> = process.env): string {
  return (environment.API_INTERNAL_URL?.trim() || 'http://localhost:3002').replace(/\/+$/, '');
}

function connectionListed(headers: Headers): Set<string> {
  // Headers named in `Connection` are hop-by-hop too.
  return new Set(
    (headers.get('connection') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function forwardRequestHeaders(request: Request): Headers {
  const incoming = request.headers;
  const listed = connectionListed(incoming);
  const headers = new Headers();
  incoming.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && !listed.has(name) && !name.startsWith('x-forwarded-')) {
      headers.append(name, value);
    }
  });
  const url = new URL(request.url);
  const host = incoming.get('x-forwarded-host') ?? incoming.get('host') ?? url.host;
  const proto = incoming.get('x-forwarded-proto') ?? url.protocol.replace(':', '');
  // Next gives a route handler no peer address: it fills X-Forwarded-For with the peer only when
  // the request came without one. The API believes the chain only from trusted proxies, and
  // with TRUSTED_PROXY_SECRET only on requests that carry the edge's secret, which this
  // proxy passes on as it came (an ordinary header).
  const forwardedFor = incoming.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  headers.set('x-forwarded-host', host);
  headers.set('x-forwarded-proto', proto.split(',')[0]!.trim());
  // The answer is passed on as it comes, and the web server compresses what it sends the
  // browser: a compressed answer from the API would be compressed twice.
  headers.set('accept-encoding', 'identity');
  return headers;
}

export function forwardResponseHeaders(upstream: IncomingHttpHeaders): Headers {
  const listed = new Set(
    String(upstream.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const headers = new Headers();
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    // Each cookie stays its own header: joined with commas, `Expires=` dates would break them.
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/** The parts of the API that browsers use, by the first segment after `/api/`. */
export const PUBLIC_API_SECTIONS: ReadonlySet<string> = new Set([
  'auth',
  'chat',
  'notifications',
  'health',
]);

/**
 * Whether a path is one of the API's routes for browsers. Every edge sends `/api/*` here, so
 * only these are forwarded, whatever the edge: the service-to-service routes and anything the
 * API adds later stay inside unless listed. Express matches routes without regard to case or
 * repeated slashes, so neither gets a path past this check.
 */
export function isPublicApiPath(pathname: string): boolean {
  const path = pathname.replace(/\/+/g, '/').toLowerCase();
  const section = /^\/api\/([^/]+)(?:\/|$)/.exec(path)?.[1];
  return section !== undefined && PUBLIC_API_SECTIONS.has(section);
}

function badGateway(message: string): Response {
  return Response.json(
    { error: 'bad_gateway', message },
    { status: 502, headers: { 'cache-control': 'no-store' } },
  );
}

/** Statuses whose responses never have a body (a `Response` with one cannot be built). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/**
 * Bodies of a known length up to this size are read whole and sent in one piece, which costs
 * less than a pair of stream adapters per request; larger or unsized bodies are streamed.
 */
const WHOLE_BODY_LIMIT = 64 * 1024;

function knownSmallLength(value: string | null | undefined): boolean {
  if (value === null || value === undefined || value === '') return false;
  const length = Number(value);
  return Number.isInteger(length) && length >= 0 && length <= WHOLE_BODY_LIMIT;
}

function readWhole(stream: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    stream.once('aborted', () => reject(new Error('the API closed the connection mid-answer')));
  });
}

/** Sends the request upstream; resolves with the response head, its body still to be read. */
async function send(target: URL, request: Request, signal: AbortSignal): Promise<IncomingMessage> {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  const body = !hasBody
    ? null
    : knownSmallLength(request.headers.get('content-length'))
      ? Buffer.from(await request.arrayBuffer())
      : request.body;
  return open(target, request, signal, body);
}

function open(
  target: URL,
  request: Request,
  signal: AbortSignal,
  body: Buffer | ReadableStream<Uint8Array> | null,
): Promise<IncomingMessage> {
  const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
  const headers: Record<string, string[]> = {};
  forwardRequestHeaders(request).forEach((value, name) => {
    (headers[name] ??= []).push(value);
  });
  return new Promise((resolve, reject) => {
    const outgoing = (protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      { method: request.method, headers, agent: agents[protocol], signal },
      resolve,
    );
    outgoing.on('error', reject);
    // Only the connection attempt is bounded: a slow or long (streamed) response is not an error.
    outgoing.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => outgoing.destroy(new ConnectTimeoutError('connect timeout')),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    if (body === null || Buffer.isBuffer(body)) {
      outgoing.end(body ?? undefined);
      return;
    }
    pipeline(Readable.fromWeb(body as never), outgoing).catch((error: unknown) =>
      outgoing.destroy(error as Error),
    );
  });
}

/**
 * Forwards one `/api/*` request to the API with streamed bodies in both directions. Only plain
 * HTTP: WebSocket upgrades never reach a route handler and are routed by the edge.
 */
export async function proxyToApi(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (!isPublicApiPath(url.pathname)) {
    return Response.json(
      { error: 'not_found', message: 'Not found' },
      { status: 404, headers: { 'cache-control': 'no-store' } },
    );
  }
  const target = new URL(`${apiBaseUrl()}${url.pathname}${url.search}`);
  let upstream: IncomingMessage;
  try {
    upstream = await send(target, request, request.signal);
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    const code = (error as { code?: string }).code;
    return badGateway(
      `The API at ${target.host} is unreachable (${code ?? (error as Error).message ?? 'request failed'}).`,
    );
  }
  const status = upstream.statusCode ?? 502;
  const headers = forwardResponseHeaders(upstream.headers);
  if (request.method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
    upstream.resume();
    return new Response(null, { status, statusText: upstream.statusMessage, headers });
  }
  if (knownSmallLength(upstream.headers['content-length'])) {
    const body = await readWhole(upstream).catch(() => null);
    if (body === null) return badGateway(`The API at ${target.host} broke off its answer.`);
    return new Response(body, { status, statusText: upstream.statusMessage, headers });
  }
  return new Response(Readable.toWeb(upstream) as ReadableStream<Uint8Array>, {
    status,
    statusText: upstream.statusMessage,
    headers,
  });
}
