import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DomainEvents } from '../../common/domain-events';
import { decideConversationAccess } from '../access/conversation-access.policy';
import { UserRepository } from '../users/user.repository';
import { type ConversationRecord, ConversationRepository } from './conversation.repository';
import { InboxRepository } from './inbox.repository';
import { MessageRepository } from './message.repository';
import { searchTokens } from './search-text';

/**
 * Keeps what the inbox indexes hold true when something other than a message changes it:
 * - a participant who may no longer open a thread (their role or country changed, or the
 *   booking moved to another country) leaves it, so their inbox and unread counts hold only
 *   threads they may see;
 * - a thread's search tokens follow its participants' names and handles;
 * - a store written before the indexes existed is indexed once, at boot.
 */
@Injectable()
export class ConversationIndexer implements OnModuleInit, OnModuleDestroy, OnApplicationBootstrap {
  private readonly logger = new Logger(ConversationIndexer.name);
  private readonly unsubscribers: Array<() => void> = [];

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly inbox: InboxRepository,
    private readonly users: UserRepository,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.unsubscribers.push(
      this.events.handle('user.access.changed', ({ userId }) => this.pruneUser(userId)),
      this.events.handle('conversation.access.changed', ({ conversationId }) =>
        this.pruneConversation(conversationId),
      ),
      this.events.handle('user.profile.changed', ({ userId }) => this.retokenizeUser(userId)),
      this.events.on('conversation.joined', ({ conversationId }) =>
        this.retokenize(conversationId),
      ),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (await this.inbox.isIndexed()) return;
    const started = Date.now();
    const count = await this.indexAll();
    await this.inbox.markIndexed();
    if (count) this.logger.log(`indexed ${count} conversations in ${Date.now() - started} ms`);
  }

  /** The search tokens of a conversation: its title, booking ref and participants' names. */
  async tokensFor(
    record: ConversationRecord,
    participantIds: readonly string[],
  ): Promise<string[]> {
    const participants = await this.users.findByIds(participantIds);
    return searchTokens(
      record.title,
      record.bookingRef,
      ...participants.flatMap((user) => [user.name, user.handle]),
    );
  }

  /**
   * Indexes every conversation as if it were written now, oldest activity first, so their order
   * is kept: idempotent, and safe to run on several replicas at once.
   */
  async indexAll(): Promise<number> {
    const ids = await this.inbox.allConversationIds();
    const records = await this.conversations.findByIds(ids);
    const lastMessages = await this.messages.lastMessages(ids);
    const activityTime = (record: ConversationRecord) =>
      lastMessages.get(record.id)?.createdAt ?? record.createdAt;
    records.sort((a, b) => activityTime(a).localeCompare(activityTime(b)));
    for (const record of records) {
      const participantIds = await this.conversations.listParticipants(record.id);
      await this.conversations.save(record, await this.tokensFor(record, participantIds));
      for (const userId of participantIds) {
        await this.conversations.addParticipant(record.id, userId);
      }
    }
    return records.length;
  }

  private async pruneUser(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    const records = await this.conversations.findByIds(
      await this.conversations.listForUser(userId),
    );
    for (const record of records) {
      if (!user || !decideConversationAccess(user, record.country, true).allowed) {
        await this.conversations.removeParticipant(record.id, userId);
      }
    }
  }

  private async pruneConversation(conversationId: string): Promise<void> {
    const record = await this.conversations.findById(conversationId);
    if (!record) return;
    const participants = await this.users.findByIds(
      await this.conversations.listParticipants(conversationId),
    );
    for (const user of participants) {
      if (!decideConversationAccess(user, record.country, true).allowed) {
        await this.conversations.removeParticipant(conversationId, user.id);
      }
    }
  }

  private async retokenizeUser(userId: string): Promise<void> {
    for (const conversationId of await this.conversations.listForUser(userId)) {
      await this.retokenize(conversationId);
    }
  }

  private async retokenize(conversationId: string): Promise<void> {
    const record = await this.conversations.findById(conversationId);
    if (!record) return;
    const participantIds = await this.conversations.listParticipants(conversationId);
    await this.conversations.setSearchTokens(
      conversationId,
      await this.tokensFor(record, participantIds),
    );
  }
}
