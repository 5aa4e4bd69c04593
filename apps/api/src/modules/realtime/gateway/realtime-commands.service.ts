import { Injectable } from '@nestjs/common';
import { type ClientFrame } from '@chat/protocol';
import { ChatService } from '../../chat/chat.service';
import { PresenceService } from '../../presence/presence.service';
import { type ClientConnection } from '../client-connection';
import { ConversationSubscriptions } from '../delivery/conversation-subscriptions';

/** What a socket can do: one call per valid client frame. */
@Injectable()
export class RealtimeCommands {
  constructor(
    private readonly chat: ChatService,
    private readonly presence: PresenceService,
    private readonly subscriptions: ConversationSubscriptions,
  ) {}

  async handle(connection: ClientConnection, frame: ClientFrame): Promise<void> {
    const ref = frame.ref === undefined ? {} : { ref: frame.ref };
    switch (frame.event) {
      case 'subscribe':
        return this.subscriptions.subscribe(
          connection,
          frame.data.conversationId,
          frame.data.since,
          ref,
        );
      case 'unsubscribe': {
        const { conversationId } = frame.data;
        this.subscriptions.unsubscribe(connection, conversationId);
        connection.send({ event: 'unsubscribed', data: { conversationId }, ...ref });
        return;
      }
      case 'message.send': {
        const { conversationId, body, clientMessageId } = frame.data;
        const { message } = await this.chat.postMessage(connection.user, conversationId, {
          body,
          clientMessageId,
        });
        connection.send({ event: 'message.ack', data: { clientMessageId, message }, ...ref });
        return;
      }
      case 'typing':
        return this.presence.startTyping(connection.user, frame.data.conversationId);
      case 'read':
        await this.chat.markRead(connection.user, frame.data.conversationId, frame.data.seq);
        return;
      case 'ping':
        connection.send({ event: 'pong', data: {}, ...ref });
        return;
    }
  }
}
