import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents, type DomainEventMap } from '../../common/domain-events';
import { InAppNotificationService } from './in-app-notification.service';

const MENTION_EXCERPT_LENGTH = 200;

/**
 * A step of every post: one `mention` notification per mentioned user. It runs again when a
 * post is retried and creates each notification once (keyed by message and user), so a retry
 * repairs a post whose notifications failed. Each remembers the message it points at: once its
 * reader has read the conversation that far, it is read too.
 */
@Injectable()
export class MentionNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly notifications: InAppNotificationService,
  ) {}

  onModuleInit(): void {
    this.stops.push(
      this.events.handle('message.posted', (posted) => this.notify(posted)),
      this.events.on('conversation.read', ({ userId, conversationId, seq }) =>
        this.notifications.readInConversation(userId, conversationId, seq),
      ),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private async notify({ message, bookingRef }: DomainEventMap['message.posted']): Promise<void> {
    await Promise.all(
      message.mentions.map((userId) =>
        this.notifications.create(
          userId,
          {
            type: 'mention',
            title: `${message.author.name} mentioned you in ${bookingRef}`,
            body: excerpt(message.body),
            link: `/threads/${message.conversationId}`,
            source: { conversationId: message.conversationId, seq: message.seq },
          },
          { onceKey: `mention:${message.id}:${userId}` },
        ),
      ),
    );
  }
}

function excerpt(body: string): string {
  return body.length <= MENTION_EXCERPT_LENGTH
    ? body
    : `${body.slice(0, MENTION_EXCERPT_LENGTH - 1)}…`;
}
