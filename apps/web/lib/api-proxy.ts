import { Agent, fetch as undiciFetch, type HeadersInit as UndiciHeadersInit } from 'undici';

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

// Only the connection attempt is bounded: a slow or long (streamed) response is not an error.
const dispatcher = new Agent({
  connect: { timeout: CONNECT_TIMEOUT_MS },
  headersTimeout: 0,
  bodyTimeout: 0,
});

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
  const forwardedFor = incoming.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  headers.set('x-forwarded-host', host);
  headers.set('x-forwarded-proto', proto.split(',')[0]!.trim());
  return headers;
}

export function forwardResponseHeaders(upstream: Headers, bodyWasDecoded: boolean): Headers {
  const listed = connectionListed(upstream);
  const headers = new Headers();
  upstream.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || listed.has(name) || name === 'set-cookie') return;
    // fetch decodes compressed bodies; the original encoding and length no longer apply.
    if (bodyWasDecoded && (name === 'content-encoding' || name === 'content-length')) return;
    headers.append(name, value);
  });
  // Each cookie stays its own header: joined with commas, `Expires=` dates would break them.
  for (const cookie of upstream.getSetCookie()) headers.append('set-cookie', cookie);
  return headers;
}

/**
 * API routes that are not for browsers: the metrics scrape and the service-to-service routes.
 * Every edge sends `/api/*` here, so refusing them here keeps them off the public host
 * whatever the edge; Prometheus and the platform's services call the API directly.
 */
export function isPrivateApiPath(pathname: string): boolean {
  const path = pathname.replace(/\/+/g, '/').toLowerCase();
  return (
    path === '/api/metrics' ||
    path.startsWith('/api/metrics/') ||
    path === '/api/internal' ||
    path.startsWith('/api/internal/')
  );
}

function badGateway(message: string): Response {
  return Response.json(
    { error: 'bad_gateway', message },
    { status: 502, headers: { 'cache-control': 'no-store' } },
  );
}

/**
 * Forwards one `/api/*` request to the API with streamed bodies in both directions. Only plain
 * HTTP: WebSocket upgrades never reach a route handler and are routed by the edge.
 */
export async function proxyToApi(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (isPrivateApiPath(url.pathname)) {
    return Response.json(
      { error: 'not_found', message: 'Not found' },
      { status: 404, headers: { 'cache-control': 'no-store' } },
    );
  }
  const target = `${apiBaseUrl()}${url.pathname}${url.search}`;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  let upstream;
  try {
    upstream = await undiciFetch(target, {
      method: request.method,
      headers: forwardRequestHeaders(request) as unknown as UndiciHeadersInit,
      body: hasBody ? (request.body as never) : undefined,
      duplex: 'half',
      redirect: 'manual',
      signal: request.signal,
      dispatcher,
    });
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return badGateway(
      `The API at ${new URL(target).host} is unreachable (${cause?.code ?? cause?.message ?? 'fetch failed'}).`,
    );
  }
  const decoded = upstream.headers.has('content-encoding');
  return new Response(upstream.body as ReadableStream<Uint8Array> | null, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: forwardResponseHeaders(upstream.headers as unknown as Headers, decoded),
  });
}
