import { type Notification } from '@chat/protocol';

export abstract class NotificationRepository {
  /**
   * Stores a new, unread notification for the user, after every earlier one; false (and nothing
   * changes) when a notification with its id exists already.
   */
  abstract create(userId: string, notification: Notification): Promise<boolean>;
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
