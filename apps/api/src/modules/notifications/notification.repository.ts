import { type Notification } from '@chat/protocol';

export type NotificationDraft = Pick<Notification, 'type' | 'title' | 'body' | 'link'>;

export abstract class NotificationRepository {
  abstract create(userId: string, draft: NotificationDraft): Promise<Notification>;
  /** Newest first; `before` is the id of the last notification of the previous page. */
  abstract page(
    userId: string,
    options: { before?: string; limit: number },
  ): Promise<{ notifications: Notification[]; hasMore: boolean } | null>;
  abstract unreadCount(userId: string): Promise<number>;
  /** null when the user has no such notification; otherwise whether it changed. */
  abstract markRead(userId: string, notificationId: string): Promise<boolean | null>;
  /** Returns how many were unread. */
  abstract markAllRead(userId: string): Promise<number>;
}
