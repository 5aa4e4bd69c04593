import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { sendText, textFrame } from './ws-text-frames';

describe('ws text frames', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function connectedPair(): Promise<{ server: WebSocket; client: WebSocket }> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    cleanups.push(
      () =>
        new Promise((resolve) => {
          for (const socket of wss.clients) socket.terminate();
          wss.close(() => resolve());
        }),
    );
    await once(wss, 'listening');
    const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    await once(client, 'open');
    const [server] = await accepted;
    return { server, client };
  }

  function received(client: WebSocket, count: number): Promise<Array<[string, boolean]>> {
    const messages: Array<[string, boolean]> = [];
    return new Promise((resolve) => {
      client.on('message', (data: Buffer, isBinary) => {
        messages.push([data.toString('utf8'), isBinary]);
        if (messages.length === count) resolve(messages);
      });
    });
  }

  it('frames a payload once, with the length encodings of RFC 6455', () => {
    const small = Buffer.from('{"event":"pong"}');
    expect([...textFrame(small).subarray(0, 2)]).toEqual([0x81, small.length]);
    expect(textFrame(small).subarray(2)).toEqual(small);
    expect(textFrame(small)).toBe(textFrame(small));

    const medium = Buffer.alloc(300, 'a');
    expect([...textFrame(medium).subarray(0, 4)]).toEqual([0x81, 126, 0x01, 0x2c]);
    expect(textFrame(medium)).toHaveLength(304);

    const large = Buffer.alloc(70_000, 'b');
    const header = textFrame(large).subarray(0, 10);
    expect([header[0], header[1]]).toEqual([0x81, 127]);
    expect(header.readBigUInt64BE(2)).toBe(70_000n);
  });

  it('delivers the same framed payload to several sockets as text messages, in order', async () => {
    const pairs = [await connectedPair(), await connectedPair()];
    const payloads = ['{"n":1}', 'é'.repeat(200), 'x'.repeat(70_000)].map((text) =>
      Buffer.from(text),
    );
    const arriving = pairs.map(({ client }) => received(client, payloads.length));
    for (const payload of payloads) for (const { server } of pairs) sendText(server, payload);
    for (const messages of await Promise.all(arriving)) {
      expect(messages).toEqual(payloads.map((payload) => [payload.toString('utf8'), false]));
    }
  });

  it('leaves a closing socket to ws, which drops the frame', async () => {
    const { server, client } = await connectedPair();
    const closed = once(client, 'close');
    server.close(1000, 'bye');
    expect(() => sendText(server, Buffer.from('{"late":true}'))).not.toThrow();
    const [code] = (await closed) as [number];
    expect(code).toBe(1000);
  });
});
