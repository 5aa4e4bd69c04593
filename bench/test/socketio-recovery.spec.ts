import { expectEventually } from '@chat/test-support';
import Redis from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SocketIoContender } from '../src/contenders/socketio-contender';
import { type Deployment } from '../src/contenders/contender';
import { type RecoverySession, SocketIoClient } from '../src/load/clients';

const ROOM = 'room-0';
const TIMEOUT_MS = 5_000;

/**
 * The benchmark's socket.io client against the real servers of the streams-adapter contender:
 * it must recover a session the way `socket.io-client` does, or the reconnect storm would
 * measure a recovery that never happened.
 */
describe('socket.io + streams adapter: connection state recovery', () => {
  const contender = new SocketIoContender('streams');
  let deployment: Deployment;
  let redis: Redis;
  const clients: SocketIoClient[] = [];

  beforeEach(async () => {
    await contender.setUp();
    deployment = await contender.deploy({ instances: 2, heartbeatMs: 25_000, inspect: false });
    redis = new Redis(contender.redis()!.urls[0]!);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    redis.disconnect();
    await deployment.stop();
    await contender.tearDown();
  });

  function connect(
    instance: number,
    received: string[],
    session?: RecoverySession,
  ): Promise<SocketIoClient> {
    const client = new SocketIoClient(
      { id: clients.length, urls: [], role: 'member', room: ROOM },
      {
        onDelivery: (_room, body) => received.push(body),
        onClose: () => undefined,
        onServerError: (code) => received.push(`error ${code}`),
      },
      session,
    );
    clients.push(client);
    return client.open(deployment.endpoints[instance]!, TIMEOUT_MS).then(() => client);
  }

  /** A member on instance 2 that hears every message, and a writer there. */
  async function writerAndWitness(): Promise<{ writer: SocketIoClient; heard: string[] }> {
    const heard: string[] = [];
    const witness = await connect(1, heard);
    await witness.join(ROOM, null, TIMEOUT_MS);
    return { writer: await connect(1, []), heard };
  }

  it('restores a dropped session on another instance, with the messages it missed', async () => {
    const session: RecoverySession = { pid: null, offset: null };
    const received: string[] = [];
    const listener = await connect(0, received, session);
    await listener.join(ROOM, null, TIMEOUT_MS);
    const { writer, heard } = await writerAndWitness();

    writer.send(ROOM, 'm1');
    await expectEventually(() => expect(received).toEqual(['m1']));
    expect(session.pid).toEqual(expect.any(String));
    expect(session.offset).toMatch(/^\d+-\d+$/);

    // The connection drops; instance 1 stores the session when it sees the close.
    listener.close();
    await expectEventually(async () =>
      expect(await redis.exists(`sio:session:${session.pid}`)).toBe(1),
    );
    writer.send(ROOM, 'm2');
    writer.send(ROOM, 'm3');
    await expectEventually(() => expect(heard).toEqual(['m1', 'm2', 'm3']));

    const pid = session.pid;
    const back = await connect(1, received, session);
    expect(back.recovered).toBe(true);
    expect(session.pid).toBe(pid);
    // Back in its room without joining: the missed messages, then the live ones.
    writer.send(ROOM, 'm4');
    await expectEventually(() => expect(received).toEqual(['m1', 'm2', 'm3', 'm4']));
  });

  it('has no session to restore once the instance that held the socket was killed', async () => {
    const session: RecoverySession = { pid: null, offset: null };
    const received: string[] = [];
    const listener = await connect(0, received, session);
    await listener.join(ROOM, null, TIMEOUT_MS);
    const { writer, heard } = await writerAndWitness();
    writer.send(ROOM, 'm1');
    await expectEventually(() => expect(received).toEqual(['m1']));
    const pid = session.pid;

    await deployment.servers[0]!.stop('SIGKILL');
    writer.send(ROOM, 'm2');
    await expectEventually(() => expect(heard).toEqual(['m1', 'm2']));

    const back = await connect(1, received, session);
    expect(back.recovered).toBe(false);
    expect(session.pid).not.toBe(pid);
    await back.join(ROOM, null, TIMEOUT_MS);
    writer.send(ROOM, 'm3');
    await expectEventually(() => expect(received).toEqual(['m1', 'm3']));
  });
});
