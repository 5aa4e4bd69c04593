import { describe, expect, it } from 'vitest';
import { type AppConfig } from '../../../config/app-config';
import { type SessionRepository } from '../../auth/session.repository';
import { type PresenceService } from '../../presence/presence.service';
import { ClientConnection, type SocketPort } from '../client-connection';
import { ConnectionRegistry } from '../connection-registry';
import { RealtimeHeartbeat } from './realtime-heartbeat';

function socket(): SocketPort & { pings: number } {
  return {
    pings: 0,
    bufferedAmount: 0,
    isOpen: true,
    send() {},
    ping() {
      this.pings++;
    },
    pause() {},
    close() {},
    terminate() {},
  };
}

function setup(count: number) {
  const registry = new ConnectionRegistry();
  const touched: string[][] = [];
  const presence = {
    touch: async (connections: Array<{ connectionId: string }>) => {
      touched.push(connections.map((connection) => connection.connectionId));
    },
  } as unknown as PresenceService;
  const sessions = { find: async () => ({}) } as unknown as SessionRepository;
  const sut = new RealtimeHeartbeat(registry, presence, sessions, {
    wsHeartbeatMs: 10_000,
  } as AppConfig);
  const sockets = Array.from({ length: count }, (_, index) => {
    const port = socket();
    registry.add(
      new ClientConnection(
        `c${index}`,
        {
          id: `u${index}`,
          email: `u${index}@example.test`,
          name: 'U',
          handle: `u${index}`,
          role: 'customer',
          country: null,
        },
        `s${index}`,
        port,
        { sendBufferLimitBytes: 1 << 20 },
        { frameSent() {}, slowConsumer() {}, accessChanged() {}, participantJoined() {} },
      ),
    );
    return port;
  });
  return { sut, sockets, touched };
}

describe(RealtimeHeartbeat.name, () => {
  it('visits a tenth of the sockets per beat and every socket once per ten beats', () => {
    const { sut, sockets, touched } = setup(1_000);
    sut.beat();
    expect(sockets.filter((port) => port.pings === 1)).toHaveLength(100);
    expect(touched).toHaveLength(1);
    expect(touched[0]).toHaveLength(100);
    for (let beat = 1; beat < 10; beat++) sut.beat();
    expect(sockets.every((port) => port.pings === 1)).toBe(true);
    expect(new Set(touched.flat()).size).toBe(1_000);
  });
});
