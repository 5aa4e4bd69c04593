/**
 * socket.io 4 with the sharded Redis adapter (Redis 7 sharded pub/sub, one channel per room):
 * the usual way to scale WebSockets over Node replicas, as a minimal chat server of the same
 * shape as the API (rooms per conversation). WebSocket transport only, no auth, no persistence.
 *
 * Events: `join(room, ack)` → ack after joining; `msg(room, body)` → `msg(room, body)` to every
 * member of `room` on every instance, sender included.
 */
import { createServer } from 'node:http';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL;
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 25_000);
if (!redisUrl) throw new Error('REDIS_URL is required');

async function main(): Promise<void> {
  const publisher = new Redis(redisUrl as string);
  const subscriber = publisher.duplicate();
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);

  const server = createServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', sockets: io.engine.clientsCount }));
      return;
    }
    if (!request.url?.startsWith('/socket.io')) response.writeHead(404).end();
  });

  const io = new Server(server, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    pingInterval: heartbeatMs,
    pingTimeout: Math.min(20_000, heartbeatMs),
    adapter: createShardedAdapter(publisher, subscriber, { subscriptionMode: 'dynamic' }),
  });

  io.on('connection', (socket) => {
    socket.on('join', async (room: unknown, ack: unknown) => {
      if (typeof room !== 'string') return;
      await socket.join(room);
      if (typeof ack === 'function') ack(room);
    });
    socket.on('msg', (room: unknown, body: unknown) => {
      if (typeof room !== 'string' || typeof body !== 'string') return;
      io.to(room).emit('msg', room, body);
    });
  });

  server.listen(port, '127.0.0.1');

  process.on('SIGTERM', () => {
    io.close(() => {
      publisher.disconnect();
      subscriber.disconnect();
      process.exit(0);
    });
  });
}

void main();
