import { type Notification } from '@chat/protocol';

/** The message a notification points at, for notifications about a conversation (mentions). */
export interface NotificationSource {
  conversationId: string;
  seq: number;
}

export abstract class NotificationRepository {
  /**
   * Stores a new, unread notification for the user, after every earlier one; false (and nothing
   * changes) when a notification with its id exists already. With `source`, it is also indexed
   * by the message it points at, for {@link markReadInConversation}.
   */
  abstract create(
    userId: string,
    notification: Notification,
    source?: NotificationSource,
  ): Promise<boolean>;
  /**
   * Newest first; `before` is the id of the last notification of the previous page (null when
   * the user has no such notification). `unread`: only those not read yet.
   */
  abstract page(
    userId: string,
    options: { before?: string; limit: number; unread?: boolean },
  ): Promise<{ notifications: Notification[]; hasMore: boolean } | null>;
  abstract unreadCount(userId: string): Promise<number>;
  /** null when the user has no such notification; otherwise whether it changed. */
  abstract markRead(userId: string, notificationId: string): Promise<boolean | null>;
  /** Returns how many were unread. */
  abstract markAllRead(userId: string): Promise<number>;
  /**
   * Marks read the user's notifications that point at messages of the conversation up to
   * `seq` (the user has read that far); returns how many were unread.
   */
  abstract markReadInConversation(
    userId: string,
    conversationId: string,
    seq: number,
  ): Promise<number>;
}
