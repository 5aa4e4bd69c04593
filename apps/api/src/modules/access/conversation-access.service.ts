import { Injectable } from '@nestjs/common';
import { type User } from '@chat/protocol';
import { DomainEvents } from '../../common/domain-events';
import { ForbiddenError, NotFoundError } from '../../common/domain-errors';
import { ConversationRepository, type ConversationRecord } from '../chat/conversation.repository';
import { decideConversationAccess } from './conversation-access.policy';

export interface ConversationAccess {
  conversation: ConversationRecord;
  isParticipant: boolean;
}

/** Applies {@link decideConversationAccess} to stored conversations. */
@Injectable()
export class ConversationAccessService {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Loads a conversation the user may see, or throws `not_found` / `forbidden`.
   * With `join`, an in-scope staff member or admin becomes a participant (opening a thread);
   * an out-of-scope user joins nothing.
   */
  async open(
    user: User,
    conversationId: string,
    options: { join: boolean },
  ): Promise<ConversationAccess> {
    const [conversation, isParticipant] = await Promise.all([
      this.conversations.findById(conversationId),
      this.conversations.isParticipant(conversationId, user.id),
    ]);
    if (!conversation) throw new NotFoundError('Conversation not found');
    const decision = decideConversationAccess(user, conversation.country, isParticipant);
    if (!decision.allowed) throw new ForbiddenError('You do not have access to this conversation');
    if (options.join && decision.autoJoin) {
      if (await this.conversations.addParticipant(conversationId, user.id)) {
        this.events.emit('conversation.joined', { conversationId, userId: user.id });
      }
      return { conversation, isParticipant: true };
    }
    return { conversation, isParticipant };
  }

  /** Whether the user may open the conversation, without joining or throwing. */
  async canOpen(user: User, conversation: ConversationRecord): Promise<boolean> {
    const isParticipant = await this.conversations.isParticipant(conversation.id, user.id);
    return decideConversationAccess(user, conversation.country, isParticipant).allowed;
  }
}
