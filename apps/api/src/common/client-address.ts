import { type IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * Peers whose `X-Forwarded-For` is believed: the edge and the web proxy, on private networks.
 * Express uses the same list (`trust proxy`), so HTTP and the gateway see the same address.
 */
export const TRUSTED_PROXIES = ['loopback', 'linklocal', 'uniquelocal'];
const trusted = proxyAddr.compile(TRUSTED_PROXIES);

/** The client's address: the peer, or what trusted proxies in front of us say it is. */
export function clientAddress(request: IncomingMessage): string {
  return proxyAddr(request, trusted) ?? 'unknown';
}
