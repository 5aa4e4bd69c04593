import { Injectable } from '@nestjs/common';
import { type Notification } from '@chat/protocol';
import {
  NotificationRepository,
  type NotificationSource,
} from '../../../modules/notifications/notification.repository';

@Injectable()
export class MemoryNotificationRepository extends NotificationRepository {
  // Per user, oldest first.
  private readonly byUser = new Map<string, Notification[]>();
  private readonly sources = new Map<string, NotificationSource>();

  private readonly ids = new Set<string>();

  async create(
    userId: string,
    notification: Notification,
    source?: NotificationSource,
  ): Promise<boolean> {
    if (this.ids.has(notification.id)) return false;
    this.ids.add(notification.id);
    const list = this.byUser.get(userId) ?? [];
    list.push({ ...notification });
    this.byUser.set(userId, list);
    if (source) this.sources.set(notification.id, { ...source });
    return true;
  }

  async page(
    userId: string,
    options: { before?: string; limit: number; unread?: boolean },
  ): Promise<{ notifications: Notification[]; hasMore: boolean } | null> {
    const list = this.byUser.get(userId) ?? [];
    let end = list.length;
    if (options.before !== undefined) {
      end = list.findIndex((notification) => notification.id === options.before);
      if (end < 0) return null;
    }
    const candidates = list
      .slice(0, end)
      .filter((notification) => !options.unread || !notification.readAt);
    const start = Math.max(0, candidates.length - options.limit);
    return {
      notifications: candidates
        .slice(start)
        .reverse()
        .map((notification) => ({ ...notification })),
      hasMore: start > 0,
    };
  }

  async unreadCount(userId: string): Promise<number> {
    return (this.byUser.get(userId) ?? []).filter((notification) => !notification.readAt).length;
  }

  async markRead(userId: string, notificationId: string): Promise<boolean | null> {
    const notification = this.byUser.get(userId)?.find((item) => item.id === notificationId);
    if (!notification) return null;
    if (notification.readAt) return false;
    notification.readAt = new Date().toISOString();
    return true;
  }

  async markAllRead(userId: string): Promise<number> {
    const readAt = new Date().toISOString();
    let changed = 0;
    for (const notification of this.byUser.get(userId) ?? []) {
      if (!notification.readAt) {
        notification.readAt = readAt;
        changed++;
      }
    }
    return changed;
  }

  async markReadInConversation(
    userId: string,
    conversationId: string,
    seq: number,
  ): Promise<number> {
    const readAt = new Date().toISOString();
    let changed = 0;
    for (const notification of this.byUser.get(userId) ?? []) {
      const source = this.sources.get(notification.id);
      if (!source || source.conversationId !== conversationId || source.seq > seq) continue;
      this.sources.delete(notification.id);
      if (!notification.readAt) {
        notification.readAt = readAt;
        changed++;
      }
    }
    return changed;
  }
}
