import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type User } from '@chat/protocol';
import { ForbiddenError, NotFoundError } from '../../../common/domain-errors';
import { RATE_LIMIT_WINDOW_SECONDS, RateLimiter } from '../../../common/rate-limiter';
import { type AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { ConversationAccessService } from '../../access/conversation-access.service';
import { ConversationRepository } from '../../chat/conversation.repository';
import { MessageRepository } from '../../chat/message.repository';
import { UsersService } from '../../users/users.service';
import { type ClientConnection } from '../client-connection';
import { ConnectionRegistry } from '../connection-registry';
import { RoomHub } from './room-hub';
import { encodeMessage, type LiveMessage, rooms } from './room-events';
import { SharedReads } from './shared-reads';

/**
 * Which conversations each socket follows: the access check, the room, the replay from the log
 * and the hand-over to live messages; access re-checks; and the catch-up after a bus outage.
 */
@Injectable()
export class ConversationSubscriptions implements OnModuleInit {
  private readonly logger = new Logger(ConversationSubscriptions.name);
  /** Reads of the message log by the cursors of this replica's sockets, encoded once. */
  private readonly logReads = new SharedReads<LiveMessage[]>();

  constructor(
    private readonly access: ConversationAccessService,
    private readonly messages: MessageRepository,
    private readonly conversations: ConversationRepository,
    private readonly users: UsersService,
    private readonly hub: RoomHub,
    private readonly registry: ConnectionRegistry,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Messages published while the bus was cut off are in the log: fill every cursor.
    this.hub.onRecovered(() => {
      this.catchUp().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'catch-up after a bus outage failed'),
      );
    });
  }

  /**
   * Access check (in-scope staff join; nobody out of scope joins anything), then the room, then
   * the replay of `seq > since` from the log, then `subscribed` (with the frame's `ref`), then
   * live messages and the participants' presence. The cursor is in place before the room is
   * joined, so no live message can slip between replay and live.
   */
  async subscribe(
    connection: ClientConnection,
    conversationId: string,
    since: number | undefined,
    ref: { ref?: string },
  ): Promise<void> {
    await this.access.open(connection.user, conversationId, { join: true });
    const cursor = connection.follow(conversationId, 1, (fromSeq, toSeq) =>
      this.readLog(conversationId, fromSeq, toSeq),
    );
    const room = rooms.conversation(conversationId);
    try {
      await this.hub.join(room, connection);
      const lastSeq = await this.messages.lastSeq(conversationId);
      let recovered = true;
      if (since === undefined) {
        cursor.skipTo(lastSeq + 1);
      } else if (
        since > lastSeq ||
        lastSeq - since > this.config.wsReplayLimit ||
        (since < lastSeq && !(await this.mayReplay(connection.user.id, lastSeq - since)))
      ) {
        // Too far behind, a cursor from elsewhere, or past the user's replay budget: the client
        // refetches over HTTP (paged), which costs us less than replaying to a flood.
        cursor.skipTo(lastSeq + 1);
        recovered = false;
      } else {
        cursor.skipTo(since + 1);
        await cursor.fillTo(lastSeq);
      }
      connection.send({
        event: 'subscribed',
        data: { conversationId, recovered, lastSeq },
        ...ref,
      });
    } catch (error) {
      if (connection.unfollow(conversationId, cursor)) this.hub.leave(room, connection);
      throw error;
    }
    cursor.release().catch(() => connection.close(1011, 'could not read the message log'));
    await this.followPresence(
      connection,
      conversationId,
      await this.conversations.listParticipants(conversationId),
    );
  }

  /** Follows the presence of these participants of a conversation the socket follows. */
  async followPresence(
    connection: ClientConnection,
    conversationId: string,
    userIds: readonly string[],
  ): Promise<void> {
    for (const userId of connection.followPresence(conversationId, userIds)) {
      await this.hub.join(rooms.presence(userId), connection);
    }
  }

  unsubscribe(connection: ClientConnection, conversationId: string): void {
    if (!connection.unfollow(conversationId)) return;
    this.hub.leave(rooms.conversation(conversationId), connection);
    for (const userId of connection.unfollowPresence(conversationId)) {
      this.hub.leave(rooms.presence(userId), connection);
    }
  }

  /** The socket is gone: it leaves every room it was in. */
  leaveAll(connection: ClientConnection): void {
    for (const conversationId of [...connection.conversations()]) {
      this.hub.leave(rooms.conversation(conversationId), connection);
    }
    for (const userId of [...connection.presenceFollowed()]) {
      this.hub.leave(rooms.presence(userId), connection);
    }
    this.hub.leave(rooms.user(connection.user.id), connection);
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
    connection.actAs(user);
    const conversationIds =
      conversationId === undefined
        ? [...connection.conversations()]
        : connection.follows(conversationId)
          ? [conversationId]
          : [];
    for (const id of conversationIds) {
      if (await this.mayOpen(user, id)) continue;
      this.unsubscribe(connection, id);
      connection.send({ event: 'unsubscribed', data: { conversationId: id } });
    }
  }

  /** Whether `count` more replayed messages fit the user's budget (`WS_REPLAY_BUDGET_PER_USER`). */
  private mayReplay(userId: string, count: number): Promise<boolean> {
    return this.rateLimiter.take(
      'replayed',
      { points: this.config.wsReplayBudgetPerUser, windowSeconds: RATE_LIMIT_WINDOW_SECONDS },
      userId,
      count,
    );
  }

  private mayOpen(user: User, conversationId: string): Promise<boolean> {
    return this.access.open(user, conversationId, { join: false }).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ForbiddenError || error instanceof NotFoundError) return false;
        throw error;
      },
    );
  }

  private readLog(conversationId: string, fromSeq: number, toSeq: number): Promise<LiveMessage[]> {
    return this.logReads.read(`${conversationId}:${fromSeq}:${toSeq}`, async () =>
      (await this.messages.range(conversationId, fromSeq, toSeq)).map(encodeMessage),
    );
  }

  private async catchUp(): Promise<void> {
    const conversationIds = new Set<string>();
    for (const connection of this.registry.all()) {
      for (const conversationId of connection.conversations()) conversationIds.add(conversationId);
    }
    const lastSeqs = await this.messages.lastSeqs([...conversationIds]);
    for (const connection of this.registry.all()) {
      for (const conversationId of connection.conversations()) {
        connection
          .fillTo(conversationId, lastSeqs.get(conversationId) ?? 0)
          .catch(() => connection.close(1011, 'could not read the message log'));
      }
    }
  }
}
