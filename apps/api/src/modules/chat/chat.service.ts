import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type ConversationHeaderResponse,
  MENTIONS_PER_MESSAGE_MAX,
  type ConversationResponse,
  type ListMessagesQuery,
  type Message,
  type MessagePageResponse,
  type PostMessageBody,
  type User,
} from '@chat/protocol';
import { DomainEvents } from '../../common/domain-events';
import { NotFoundError, RateLimitedError } from '../../common/domain-errors';
import { RATE_LIMIT_WINDOW_SECONDS, RateLimiter } from '../../common/rate-limiter';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ConversationAccessService } from '../access/conversation-access.service';
import { BookingRepository } from '../bookings/booking.repository';
import { UserRepository } from '../users/user.repository';
import { toUserSummary, UsersService } from '../users/users.service';
import { type ConversationRecord, ConversationRepository } from './conversation.repository';
import { MessageRepository } from './message.repository';
import { extractMentionedHandles } from './mentions';
import { ReadStateRepository } from './read-state.repository';

/** Conversations and their messages: listing, opening, posting and reading. */
@Injectable()
export class ChatService {
  constructor(
    private readonly access: ConversationAccessService,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly readState: ReadStateRepository,
    private readonly bookings: BookingRepository,
    private readonly users: UserRepository,
    private readonly usersService: UsersService,
    private readonly events: DomainEvents,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A conversation with its booking and participants. With `join` (opening it: a POST, or the
   * socket's `subscribe`), in-scope staff and admins who do not take part yet join it; reading
   * it (a GET) changes nothing.
   */
  async openConversation(
    user: User,
    conversationId: string,
    options: { join: boolean },
  ): Promise<ConversationResponse> {
    const { conversation } = await this.access.open(user, conversationId, options);
    const [booking, participantIds] = await Promise.all([
      this.requireBooking(conversation),
      this.conversations.listParticipants(conversationId),
    ]);
    // A booking thread has a handful of participants; their markers are read in one round trip.
    const [summaries, markers] = await Promise.all([
      this.usersService.summaries(participantIds),
      Promise.all(participantIds.map((id) => this.readState.get(id, conversationId))),
    ]);
    return {
      id: conversation.id,
      booking: {
        id: booking.id,
        ref: booking.ref,
        country: booking.country,
        ...(booking.details ? { details: booking.details } : {}),
      },
      title: conversation.title,
      participants: participantIds.flatMap((id) => summaries.get(id) ?? []),
      // How far each participant has read, for "Seen" in the thread; receipts keep it current.
      readMarkers: Object.fromEntries(participantIds.map((id, index) => [id, markers[index]!])),
    };
  }

  async header(user: User, conversationId: string): Promise<ConversationHeaderResponse> {
    const { conversation } = await this.access.open(user, conversationId, { join: false });
    const booking = await this.requireBooking(conversation);
    const participantIds = await this.conversations.listParticipants(conversationId);
    const summaries = await this.usersService.summaries([
      booking.creatorId,
      ...(booking.managerId ? [booking.managerId] : []),
      ...participantIds,
    ]);
    const creator = summaries.get(booking.creatorId);
    if (!creator) throw new NotFoundError('The booking creator no longer exists');
    return {
      creator,
      manager: (booking.managerId && summaries.get(booking.managerId)) || null,
      participants: participantIds.flatMap((id) => summaries.get(id) ?? []),
    };
  }

  async listMessages(
    user: User,
    conversationId: string,
    query: ListMessagesQuery,
  ): Promise<MessagePageResponse> {
    await this.access.open(user, conversationId, { join: false });
    const lastSeq = await this.messages.lastSeq(conversationId);
    const toSeq = query.before === undefined ? lastSeq : Math.min(query.before - 1, lastSeq);
    const fromSeq = Math.max(1, toSeq - query.limit + 1);
    const messages = toSeq >= 1 ? await this.messages.range(conversationId, fromSeq, toSeq) : [];
    return { messages, hasMore: fromSeq > 1 && toSeq >= 1 };
  }

  /**
   * Stores a message once per (author, clientMessageId); a retry returns the stored message
   * with `created: false`. The post's steps (mention notifications) run on every attempt and are
   * idempotent: a retry of a post whose steps failed completes them, once.
   */
  async postMessage(
    user: User,
    conversationId: string,
    input: PostMessageBody,
  ): Promise<{ message: Message; created: boolean }> {
    // Every attempt counts, over HTTP and WebSocket alike, and a refused one changes nothing.
    // The access check only reads, alongside the count (one round trip); a refusal wins over it.
    const limit = {
      points: this.config.messageRatePerUser,
      windowSeconds: RATE_LIMIT_WINDOW_SECONDS,
    };
    const [allowed, opened] = await Promise.allSettled([
      this.rateLimiter.take('messages', limit, user.id),
      this.access.open(user, conversationId, { join: false }),
    ]);
    if (allowed.status === 'rejected') throw allowed.reason;
    if (!allowed.value) throw new RateLimitedError('Too many messages; slow down');
    if (opened.status === 'rejected') throw opened.reason;
    // In-scope staff and admins who are not participants yet join with their first message.
    const { conversation } = opened.value.isParticipant
      ? opened.value
      : await this.access.open(user, conversationId, { join: true });
    const mentioned = await this.resolveMentions(user, conversation, input.body);
    // The store announces the message to its room as it appends it.
    const result = await this.messages.append(
      {
        id: randomUUID(),
        conversationId,
        author: toUserSummary(user),
        body: input.body,
        mentions: mentioned.map((mentionedUser) => mentionedUser.id),
        createdAt: new Date().toISOString(),
        clientMessageId: input.clientMessageId,
      },
      input.clientMessageId,
    );
    await this.events.dispatch('message.posted', {
      ...result,
      bookingRef: conversation.bookingRef,
    });
    return result;
  }

  /** Moves the read marker forward (never past the last message); returns the new unread count. */
  async markRead(user: User, conversationId: string, seq: number): Promise<number> {
    await this.access.open(user, conversationId, { join: false });
    const { marker, count } = await this.readState.advance(user.id, conversationId, seq);
    this.events.emit('conversation.read', { conversationId, userId: user.id, seq: marker });
    return count;
  }

  /** The users `@mentioned` who may open the thread: the first few handles only, so one post
   *  cannot make the store look up and notify hundreds of people. */
  private async resolveMentions(author: User, conversation: ConversationRecord, body: string) {
    const handles = extractMentionedHandles(body)
      .filter((handle) => handle !== author.handle)
      .slice(0, MENTIONS_PER_MESSAGE_MAX);
    const candidates = await Promise.all(handles.map((handle) => this.users.findByHandle(handle)));
    const allowed = await Promise.all(
      candidates.map(async (candidate) =>
        candidate && (await this.access.canOpen(candidate, conversation)) ? candidate : null,
      ),
    );
    return allowed.filter((candidate) => candidate !== null);
  }

  private async requireBooking(conversation: ConversationRecord) {
    const booking = await this.bookings.findById(conversation.bookingId);
    if (!booking) throw new NotFoundError('The booking of this conversation no longer exists');
    return booking;
  }
}
