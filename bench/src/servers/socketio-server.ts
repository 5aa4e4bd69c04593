/**
 * socket.io 4 over Redis, as a minimal chat server of the same shape as the API (rooms per
 * conversation), WebSocket transport only, no auth, no persistence. One of two adapters
 * (`SOCKETIO_ADAPTER`):
 *
 * - `sharded`: `@socket.io/redis-adapter`'s sharded adapter (Redis 7 sharded pub/sub, one
 *   channel per room), the usual way to scale socket.io over Node replicas. No recovery.
 * - `streams`: `@socket.io/redis-streams-adapter` (every broadcast appended to one Redis stream
 *   that every instance reads) with connection state recovery: a client that comes back with
 *   its session id and the offset of the last packet it received gets its rooms and the packets
 *   it missed, if the instance it left stored its session (it does so when the connection
 *   closes, in the process that held it).
 *
 * Events: `join(room, ack)` → ack after joining; `msg(room, body)` → `msg(room, body)` to every
 * member of `room` on every instance, sender included (with recovery, the packet's stream
 * offset follows as a last argument).
 */
import { createServer } from 'node:http';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import Redis from 'ioredis';
import { Server, type ServerOptions } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL;
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 25_000);
const adapterName = process.env.SOCKETIO_ADAPTER ?? 'sharded';
if (!redisUrl) throw new Error('REDIS_URL is required');
if (adapterName !== 'sharded' && adapterName !== 'streams') {
  throw new Error(`SOCKETIO_ADAPTER must be sharded or streams, not ${adapterName}`);
}

/** How long a session and its packets are kept for a client that may come back. */
const RECOVERY_WINDOW_MS = 2 * 60_000;

async function main(): Promise<void> {
  const publisher = new Redis(redisUrl as string);
  publisher.on('error', () => undefined);
  const redisClients = [publisher];
  let adapterOptions: Partial<ServerOptions>;
  if (adapterName === 'sharded') {
    const subscriber = publisher.duplicate();
    subscriber.on('error', () => undefined);
    redisClients.push(subscriber);
    adapterOptions = {
      adapter: createShardedAdapter(publisher, subscriber, { subscriptionMode: 'dynamic' }),
    };
  } else {
    adapterOptions = {
      // The adapter makes its own blocking reader and subscriber with duplicate().
      // Bodies are strings: no binary check on every broadcast.
      adapter: createStreamsAdapter(publisher, { onlyPlaintext: true }),
      connectionStateRecovery: {
        maxDisconnectionDuration: RECOVERY_WINDOW_MS,
        skipMiddlewares: true,
      },
    };
  }

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
    ...adapterOptions,
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
      for (const client of redisClients) client.disconnect();
      process.exit(0);
    });
  });
}

void main();
