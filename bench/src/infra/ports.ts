/**
 * Loopback source addresses for client sockets. Linux gives about 28,000 ephemeral ports per
 * (source, destination) pair, so large socket counts are spread over 127.0.0.2, 127.0.0.3, …
 */
export function loopbackSource(index: number): string {
  return `127.0.0.${2 + (index % 250)}`;
}
