import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { type TrustedProxies } from '../config/app-config';

/** The header in which the edge proves a request came through it (`TRUSTED_PROXY_SECRET`). */
export const TRUSTED_PROXY_SECRET_HEADER = 'x-trusted-proxy-secret';

type Trust = (address: string, hop: number) => boolean;

const TRUST_NOBODY: Trust = () => false;

const digest = (value: string) => createHash('sha256').update(value).digest();

function compile(proxies: TrustedProxies): Trust {
  if ('hops' in proxies) {
    const { hops } = proxies;
    return (_address, hop) => hop < hops;
  }
  return proxyAddr.compile(proxies.addresses);
}

/**
 * Who sent a request: the peer, or, when the peer is a trusted proxy (and the request carries
 * the edge's secret, if one is configured), what the proxies in front of it say in
 * `X-Forwarded-For`, read from the nearest hop outwards up to the first untrusted one.
 */
export class ClientAddresses {
  private readonly trust: Trust;
  private readonly secret: Buffer | null;

  constructor(proxies: TrustedProxies, secret: string | null) {
    this.trust = compile(proxies);
    this.secret = secret === null ? null : digest(secret);
  }

  of(request: IncomingMessage): string {
    return (
      proxyAddr(request, this.forwardingBelieved(request) ? this.trust : TRUST_NOBODY) ?? 'unknown'
    );
  }

  private forwardingBelieved(request: IncomingMessage): boolean {
    if (this.secret === null) return true;
    const presented = request.headers[TRUSTED_PROXY_SECRET_HEADER];
    // Digests keep the comparison constant-time whatever the lengths.
    return typeof presented === 'string' && timingSafeEqual(digest(presented), this.secret);
  }
}

// One API per process: createApp sets it from the configuration before anything listens. Until
// then only the loopback is trusted.
let current = new ClientAddresses({ addresses: ['loopback'] }, null);

/** Sets whose forwarding headers count (`TRUSTED_PROXIES`, `TRUSTED_PROXY_SECRET`). */
export function trustProxies(proxies: TrustedProxies, secret: string | null): void {
  current = new ClientAddresses(proxies, secret);
}

/** The client's address, for per-address limits on HTTP requests and WebSocket upgrades. */
export function clientAddress(request: IncomingMessage): string {
  return current.of(request);
}
