import { Injectable } from '@nestjs/common';
import {
  type ListNotificationsQuery,
  type Notification,
  type NotificationPageResponse,
} from '@chat/protocol';
import { DomainEvents } from '../../common/domain-events';
import { BadRequestError, NotFoundError } from '../../common/domain-errors';
import { UserRepository } from '../users/user.repository';
import { type NotificationDraft, NotificationRepository } from './notification.repository';

/** The bell: in-app notifications for chat mentions and for the rest of the platform. */
@Injectable()
export class InAppNotificationService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly users: UserRepository,
    private readonly events: DomainEvents,
  ) {}

  async create(
    userId: string,
    draft: Omit<NotificationDraft, 'body' | 'link'> & {
      body?: string | null;
      link?: string | null;
    },
  ): Promise<Notification> {
    if (!(await this.users.findById(userId))) {
      throw new BadRequestError('Unknown user', [{ path: 'userId', message: 'no such user' }]);
    }
    const notification = await this.notifications.create(userId, {
      type: draft.type,
      title: draft.title,
      body: draft.body ?? null,
      link: draft.link ?? null,
    });
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

  private async announceUnread(userId: string): Promise<void> {
    const count = await this.notifications.unreadCount(userId);
    this.events.emit('notification.unread', { userId, count });
  }
}
