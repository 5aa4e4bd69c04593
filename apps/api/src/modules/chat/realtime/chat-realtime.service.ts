import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type ClientFrame, type Message } from '@chat/protocol';
import { ForbiddenError, NotFoundError } from '../../../common/domain-errors';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { rooms } from '../../../infra/realtime/room-event';
import { RoomHub } from '../../../infra/realtime/room-hub';
import { ConversationAccessService } from '../../access/conversation-access.service';
import { InAppNotificationService } from '../../notifications/in-app-notification.service';
import { PresenceService } from '../../presence/presence.service';
import { UsersService } from '../../users/users.service';
import { ChatService } from '../chat.service';
import { MessageRepository } from '../message.repository';
import { type ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { ConversationCursor } from './conversation-cursor';
import { REALTIME_LIMITS } from './realtime-limits';
import { SharedReads } from './shared-reads';

type FrameOf<E extends ClientFrame['event']> = Extract<ClientFrame, { event: E }>;

/** What a socket can do: the service behind the gateway's frames. */
@Injectable()
export class ChatRealtimeService implements OnModuleInit {
  private readonly logger = new Logger(ChatRealtimeService.name);
  /** Reads of the message log by the cursors of this replica's sockets. */
  private readonly logReads = new SharedReads<Message[]>();

  constructor(
    private readonly chat: ChatService,
    private readonly access: ConversationAccessService,
    private readonly messages: MessageRepository,
    private readonly notifications: InAppNotificationService,
    private readonly presence: PresenceService,
    private readonly hub: RoomHub,
    private readonly registry: ConnectionRegistry,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Events published while the bus was cut off are in the message log: fill every cursor.
    this.hub.onRecovered(() => {
      this.catchUp().catch((error: unknown) =>
        this.logger.warn(
          `catch-up after a bus outage failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    });
  }

  /** A socket was accepted: presence, its user room, then `ready` as its first frame. */
  async open(connection: ClientConnection): Promise<void> {
    const { user } = connection;
    await this.presence.connect({ userId: user.id, connectionId: connection.id });
    await this.hub.join(rooms.user(user.id), connection);
    const [notifications, chat] = await Promise.all([
      this.notifications.unreadCount(user.id),
      this.chat.unread(user),
    ]);
    connection.markReady({
      event: 'ready',
      data: {
        userId: user.id,
        connectionId: connection.id,
        heartbeatMs: this.config.wsHeartbeatMs,
        unread: { notifications, chat: chat.total },
      },
    });
  }

  /** The socket is gone: leave every room and, if it was the user's last, go offline. */
  async close(connection: ClientConnection): Promise<void> {
    for (const conversationId of connection.cursors.keys()) {
      this.hub.leave(rooms.conversation(conversationId), connection);
    }
    this.hub.leave(rooms.user(connection.user.id), connection);
    connection.disposed();
    try {
      await this.presence.disconnect({ userId: connection.user.id, connectionId: connection.id });
    } finally {
      this.registry.remove(connection);
    }
  }

  handle(connection: ClientConnection, frame: ClientFrame): Promise<void> {
    switch (frame.event) {
      case 'subscribe':
        return this.subscribe(connection, frame);
      case 'unsubscribe':
        return this.unsubscribe(connection, frame);
      case 'message.send':
        return this.sendMessage(connection, frame);
      case 'typing':
        return this.presence.startTyping(connection.user, frame.data.conversationId);
      case 'read':
        return this.chat
          .markRead(connection.user, frame.data.conversationId, frame.data.seq)
          .then(() => undefined);
      case 'ping':
        connection.send({ event: 'pong', data: {}, ...ref(frame) });
        return Promise.resolve();
    }
  }

  /**
   * Access check (in-scope staff join; nobody out of scope joins anything), then the room, then
   * the replay of `seq > since` from the log, then `subscribed`, then live messages. The cursor
   * is in place before the room is joined, so no live message can slip between replay and live.
   */
  private async subscribe(
    connection: ClientConnection,
    frame: FrameOf<'subscribe'>,
  ): Promise<void> {
    const { conversationId, since } = frame.data;
    await this.access.open(connection.user, conversationId, { join: true });
    connection.cursors.get(conversationId)?.close();
    const cursor = new ConversationCursor(
      {
        deliver: (message) => connection.sendMessage(message),
        fetch: (fromSeq, toSeq) =>
          this.logReads.read(`${conversationId}:${fromSeq}:${toSeq}`, () =>
            this.messages.range(conversationId, fromSeq, toSeq),
          ),
      },
      REALTIME_LIMITS.replayChunk,
      1,
    );
    connection.cursors.set(conversationId, cursor);
    const room = rooms.conversation(conversationId);
    try {
      await this.hub.join(room, connection);
      const lastSeq = await this.messages.lastSeq(conversationId);
      let recovered = true;
      if (since === undefined) {
        cursor.skipTo(lastSeq + 1);
      } else if (since > lastSeq || lastSeq - since > this.config.wsReplayLimit) {
        // Too far behind (or a cursor from elsewhere): the client refetches over HTTP.
        cursor.skipTo(lastSeq + 1);
        recovered = false;
      } else {
        cursor.skipTo(since + 1);
        await cursor.fillTo(lastSeq);
      }
      connection.send({
        event: 'subscribed',
        data: { conversationId, recovered, lastSeq },
        ...ref(frame),
      });
    } catch (error) {
      if (connection.cursors.get(conversationId) === cursor) {
        connection.cursors.delete(conversationId);
        this.hub.leave(room, connection);
      }
      cursor.close();
      throw error;
    }
    cursor.release().catch(() => connection.close(1011, 'could not read the message log'));
  }

  /**
   * The user's role or country, or a thread's country, changed. The socket acts as the user is
   * now (it was authorized at the handshake), and leaves every room it may no longer see, with
   * `unsubscribed` so the client knows.
   */
  async recheckAccess(connection: ClientConnection, conversationId?: string): Promise<void> {
    const user = await this.users.findById(connection.user.id);
    if (!user) {
      connection.close(4401, 'session ended');
      return;
    }
    connection.user = user;
    const conversationIds =
      conversationId === undefined
        ? [...connection.cursors.keys()]
        : connection.cursors.has(conversationId)
          ? [conversationId]
          : [];
    for (const id of conversationIds) {
      const allowed = await this.access.open(user, id, { join: false }).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ForbiddenError || error instanceof NotFoundError) return false;
          throw error;
        },
      );
      if (allowed) continue;
      connection.cursors.get(id)?.close();
      connection.cursors.delete(id);
      this.hub.leave(rooms.conversation(id), connection);
      connection.send({ event: 'unsubscribed', data: { conversationId: id } });
    }
  }

  private async unsubscribe(
    connection: ClientConnection,
    frame: FrameOf<'unsubscribe'>,
  ): Promise<void> {
    const { conversationId } = frame.data;
    connection.cursors.get(conversationId)?.close();
    if (connection.cursors.delete(conversationId)) {
      this.hub.leave(rooms.conversation(conversationId), connection);
    }
    connection.send({ event: 'unsubscribed', data: { conversationId }, ...ref(frame) });
  }

  private async sendMessage(
    connection: ClientConnection,
    frame: FrameOf<'message.send'>,
  ): Promise<void> {
    const { conversationId, body, clientMessageId } = frame.data;
    const { message } = await this.chat.postMessage(connection.user, conversationId, {
      body,
      clientMessageId,
    });
    connection.send({ event: 'message.ack', data: { clientMessageId, message }, ...ref(frame) });
  }

  private async catchUp(): Promise<void> {
    const conversationIds = new Set<string>();
    for (const connection of this.registry.all()) {
      for (const conversationId of connection.cursors.keys()) conversationIds.add(conversationId);
    }
    const lastSeqs = await this.messages.lastSeqs([...conversationIds]);
    for (const connection of this.registry.all()) {
      for (const [conversationId, cursor] of connection.cursors) {
        cursor
          .fillTo(lastSeqs.get(conversationId) ?? 0)
          .catch(() => connection.close(1011, 'could not read the message log'));
      }
    }
  }
}

function ref(frame: ClientFrame): { ref?: string } {
  return frame.ref === undefined ? {} : { ref: frame.ref };
}
