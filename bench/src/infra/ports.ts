import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Loopback source addresses for client sockets. Linux gives about 28,000 ephemeral ports per
 * (source, destination) pair, so large socket counts are spread over 127.0.0.2, 127.0.0.3, …
 */
export function loopbackSource(index: number): string {
  return `127.0.0.${2 + (index % 250)}`;
}
