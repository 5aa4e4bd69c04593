import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../../common/domain-events';
import { RoomHub } from './room-hub';
import { rooms } from './room-events';

/** A reader's receipt in one conversation goes out at most this often; the latest seq wins. */
export const READ_RECEIPT_INTERVAL_MS = 1_000;

interface ReceiptWindow {
  timer: ReturnType<typeof setTimeout>;
  sentSeq: number;
  pendingSeq: number | null;
}

/**
 * Tells a conversation's subscribed sockets how far a participant has read (`read.receipt`), so
 * the others can show "Seen". A reader scrolling through a thread moves their marker many times a
 * second: the first move goes out at once, later ones at most once per interval, with the
 * latest seq. The room only reaches sockets whose subscription passed the access check.
 */
@Injectable()
export class ReadReceiptAnnouncer implements OnModuleInit, OnModuleDestroy {
  private readonly windows = new Map<string, ReceiptWindow>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly events: DomainEvents,
    private readonly hub: RoomHub,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.on('conversation.read', ({ conversationId, userId, seq }) =>
      this.read(conversationId, userId, seq),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const window of this.windows.values()) clearTimeout(window.timer);
    this.windows.clear();
  }

  private async read(conversationId: string, userId: string, seq: number): Promise<void> {
    const key = `${conversationId}\n${userId}`;
    const window = this.windows.get(key);
    if (window) {
      if (seq > Math.max(window.sentSeq, window.pendingSeq ?? 0)) window.pendingSeq = seq;
      return;
    }
    this.windows.set(key, { timer: this.closeLater(key), sentSeq: seq, pendingSeq: null });
    await this.publish(conversationId, userId, seq);
  }

  private closeLater(key: string): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => void this.close(key), READ_RECEIPT_INTERVAL_MS);
    timer.unref();
    return timer;
  }

  /** The end of a window: the latest seq held back goes out and opens the next one. */
  private async close(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (!window) return;
    if (window.pendingSeq === null || window.pendingSeq <= window.sentSeq) {
      this.windows.delete(key);
      return;
    }
    const seq = window.pendingSeq;
    window.sentSeq = seq;
    window.pendingSeq = null;
    window.timer = this.closeLater(key);
    const [conversationId, userId] = key.split('\n') as [string, string];
    await this.publish(conversationId, userId, seq);
  }

  private publish(conversationId: string, userId: string, seq: number): Promise<void> {
    return this.hub.publishFrame(rooms.conversation(conversationId), {
      event: 'read.receipt',
      data: { conversationId, userId, seq },
    });
  }
}
