import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents, type DomainEventMap } from '../../common/domain-events';
import { InAppNotificationService } from './in-app-notification.service';

const MENTION_EXCERPT_LENGTH = 200;

/**
 * A step of every post: one `mention` notification per mentioned user. It runs again when a
 * post is retried and creates each notification once (keyed by message and user), so a retry
 * repairs a post whose notifications failed.
 */
@Injectable()
export class MentionNotifier implements OnModuleInit, OnModuleDestroy {
  private stop: (() => void) | null = null;

  constructor(
    private readonly events: DomainEvents,
    private readonly notifications: InAppNotificationService,
  ) {}

  onModuleInit(): void {
    this.stop = this.events.handle('message.posted', (posted) => this.notify(posted));
  }

  onModuleDestroy(): void {
    this.stop?.();
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
