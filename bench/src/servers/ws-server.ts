/**
 * The upper bound: one process, raw `ws`, rooms in memory, no Redis, no auth, no persistence.
 * A message is serialised and UTF-8 encoded once and written to every member of its room,
 * sender included.
 *
 * Wire format (JSON text): `{t:'join', room, ref}` → `{t:'joined', room, ref}`;
 * `{t:'msg', room, body}` → `{t:'msg', room, body}` to every member of `room`.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 0);
const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 25_000);

interface Member {
  socket: WebSocket;
  rooms: Set<string>;
  alive: boolean;
}

const rooms = new Map<string, Set<Member>>();
const members = new Set<Member>();

const server = createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'ok', sockets: members.size }));
    return;
  }
  response.writeHead(404).end();
});

const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (socket) => {
  const member: Member = { socket, rooms: new Set(), alive: true };
  members.add(member);
  socket.on('pong', () => (member.alive = true));
  socket.on('message', (data) => {
    let frame: { t?: string; room?: string; body?: string; ref?: string };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      return;
    }
    const room = frame.room;
    if (typeof room !== 'string') return;
    if (frame.t === 'join') {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      set.add(member);
      member.rooms.add(room);
      socket.send(JSON.stringify({ t: 'joined', room, ref: frame.ref }));
    } else if (frame.t === 'msg') {
      // Serialised and encoded once; every member gets the same bytes as a text frame.
      const out = Buffer.from(JSON.stringify({ t: 'msg', room, body: frame.body }));
      for (const peer of rooms.get(room) ?? []) peer.socket.send(out, { binary: false });
    }
  });
  socket.on('close', () => {
    members.delete(member);
    for (const room of member.rooms) {
      const set = rooms.get(room);
      set?.delete(member);
      if (set?.size === 0) rooms.delete(room);
    }
  });
});

// Heartbeat as the API does it: ping every interval, terminate after a missed pong.
const heartbeat = setInterval(() => {
  for (const member of members) {
    if (!member.alive) {
      member.socket.terminate();
      continue;
    }
    member.alive = false;
    member.socket.ping();
  }
}, heartbeatMs);

server.listen(port, '127.0.0.1');

process.on('SIGTERM', () => {
  clearInterval(heartbeat);
  for (const member of members) member.socket.terminate();
  server.close(() => process.exit(0));
});
