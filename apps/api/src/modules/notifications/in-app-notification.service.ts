import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type ListNotificationsQuery,
  type Notification,
  type NotificationPageResponse,
} from '@chat/protocol';
import { DomainEvents } from '../../common/domain-events';
import { BadRequestError, NotFoundError } from '../../common/domain-errors';
import { UserRepository } from '../users/user.repository';
import { NotificationRepository, type NotificationSource } from './notification.repository';

export interface NotificationInput {
  type: string;
  title: string;
  body?: string | null;
  link?: string | null;
  /** The message it is about: reading the conversation that far marks it read. */
  source?: NotificationSource;
}

/** The bell: in-app notifications for chat mentions and for the rest of the platform. */
@Injectable()
export class InAppNotificationService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly users: UserRepository,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Creates a notification and tells the user's sockets. With `onceKey`, a second call with the
   * same key (a retried step) changes nothing and tells nobody.
   */
  async create(
    userId: string,
    input: NotificationInput,
    options: { onceKey?: string } = {},
  ): Promise<Notification> {
    if (!(await this.users.findById(userId))) {
      throw new BadRequestError('Unknown user', [{ path: 'userId', message: 'no such user' }]);
    }
    const notification: Notification = {
      id: options.onceKey === undefined ? randomUUID() : idFromKey(options.onceKey),
      type: input.type,
      title: input.title,
      body: input.body ?? null,
      link: input.link ?? null,
      createdAt: new Date().toISOString(),
      readAt: null,
    };
    if (!(await this.notifications.create(userId, notification, input.source))) {
      return notification;
    }
    const unreadCount = await this.notifications.unreadCount(userId);
    this.events.emit('notification.created', { userId, notification, unreadCount });
    return notification;
  }

  async list(userId: string, query: ListNotificationsQuery): Promise<NotificationPageResponse> {
    const page = await this.notifications.page(userId, query);
    if (!page) {
      throw new BadRequestError('Invalid query', [
        { path: 'before', message: 'no such notification' },
      ]);
    }
    return page;
  }

  unreadCount(userId: string): Promise<number> {
    return this.notifications.unreadCount(userId);
  }

  async markRead(userId: string, notificationId: string): Promise<void> {
    const changed = await this.notifications.markRead(userId, notificationId);
    if (changed === null) throw new NotFoundError('Notification not found');
    if (changed) await this.announceUnread(userId);
  }

  async markAllRead(userId: string): Promise<void> {
    if ((await this.notifications.markAllRead(userId)) > 0) await this.announceUnread(userId);
  }

  /**
   * The user has read the conversation up to `seq`: the notifications about its messages up to
   * there (mentions) are read too, and the bell hears of it.
   */
  async readInConversation(userId: string, conversationId: string, seq: number): Promise<void> {
    if ((await this.notifications.markReadInConversation(userId, conversationId, seq)) > 0) {
      await this.announceUnread(userId);
    }
  }

  private async announceUnread(userId: string): Promise<void> {
    const count = await this.notifications.unreadCount(userId);
    this.events.emit('notification.unread', { userId, count });
  }
}

/** A notification id that is the same for the same key, shaped like the random ones. */
function idFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
