import { type INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { type Server } from 'ws';
import { MAX_FRAME_BYTES } from '@chat/protocol';
import { type GatewayHandshake } from './gateway-handshake';

/**
 * Nest's `ws` adapter with the gateway's transport settings: the handshake decided before the
 * 101, no permessage-deflate (memory per socket, and compression oracles), and the frame size
 * limit (`ws` closes with 1009 above it). Frames are read by the gateway itself, so that one
 * parser and one validator answer every frame, unknown events and bad JSON included.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly log = new Logger(ChatWsAdapter.name);

  constructor(
    app: INestApplicationContext,
    private readonly handshake: GatewayHandshake,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): Server {
    return super.create(port, {
      ...options,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      verifyClient: this.handshake.verifyClient,
    }) as Server;
  }

  override bindMessageHandlers(): void {
    // The gateway reads frames (see ChatGateway.handleConnection).
  }

  override bindErrorHandler(server: Server): Server {
    // Socket errors are client faults (a frame over the limit, a bad close code): the gateway
    // handles them per connection. Server errors are ours.
    server.on('error', (error: Error) => this.log.error(error.message));
    return server;
  }
}
