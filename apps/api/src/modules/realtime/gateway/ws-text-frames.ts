import * as ws from 'ws';

/** The part of `ws`'s frame writer used here (see the ws issue #617 and engine.io's transport). */
interface FrameSender {
  sendFrame(list: Buffer[], callback?: (error?: Error) => void): void;
}
interface FrameOptions {
  fin: boolean;
  mask: boolean;
  opcode: number;
  readOnly: boolean;
  rsv1: boolean;
}
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] };
};

const TEXT_OPCODE = 0x1;

// Framed once per payload: frames from a server are not masked, so one live message is the same
// bytes on every socket. Keyed by the payload buffer, which the connection encodes once per frame.
const framed = new WeakMap<Buffer, Buffer>();

/** `payload` as one unmasked, final WebSocket text frame: header and payload in one buffer. */
export function textFrame(payload: Buffer): Buffer {
  let frame = framed.get(payload);
  if (frame === undefined) {
    frame = Buffer.concat(
      Sender.frame(payload, {
        fin: true,
        mask: false,
        opcode: TEXT_OPCODE,
        readOnly: false,
        rsv1: false,
      }),
    );
    framed.set(payload, frame);
  }
  return frame;
}

/**
 * Sends `payload` (UTF-8 JSON) as a text frame. An open socket without permessage-deflate (the
 * gateway never negotiates it) gets the shared pre-built frame in one write, as socket.io does
 * for broadcasts; anything else goes through `ws`'s own `send`.
 */
export function sendText(socket: ws.WebSocket, payload: Buffer): void {
  const sender = (socket as unknown as { _sender?: Partial<FrameSender> })._sender;
  if (
    socket.readyState !== ws.WebSocket.OPEN ||
    socket.extensions !== '' ||
    typeof sender?.sendFrame !== 'function'
  ) {
    socket.send(payload, { binary: false });
    return;
  }
  sender.sendFrame([textFrame(payload)]);
}
