import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import { type Message, type Notification } from '@chat/protocol';

/**
 * What the domain reports. Services emit these on the replica that did the work; the realtime
 * layer decides who receives them and carries them to the other replicas.
 */
export interface DomainEventMap {
  'message.created': { message: Message; participantIds: string[] };
  'conversation.joined': { conversationId: string; userId: string };
  'conversation.read': { conversationId: string; userId: string; seq: number };
  'notification.created': { userId: string; notification: Notification; unreadCount: number };
  'notification.unread': { userId: string; count: number };
  'session.revoked': { sessionKey: string; userId: string };
  /** The user's first socket opened or their last one closed or expired, on any replica. */
  'presence.changed': { userId: string; online: boolean };
  'typing.started': { conversationId: string; userId: string; expiresInMs: number };
  /** A user's role or country changed: what they may open may have changed. */
  'user.access.changed': { userId: string };
  /** A thread's booking moved to another country: who may open it may have changed. */
  'conversation.access.changed': { conversationId: string };
}

export type DomainEventName = keyof DomainEventMap;
type Listener<E extends DomainEventName> = (payload: DomainEventMap[E]) => void | Promise<void>;

@Injectable()
export class DomainEvents {
  private readonly emitter = new EventEmitter();
  private readonly logger = new Logger(DomainEvents.name);

  emit<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): void {
    this.emitter.emit(event, payload);
  }

  /** A failing listener is logged; it never fails the request that emitted the event. */
  on<E extends DomainEventName>(event: E, listener: Listener<E>): () => void {
    const safe = (payload: DomainEventMap[E]) => {
      try {
        Promise.resolve(listener(payload)).catch((error: unknown) => this.report(event, error));
      } catch (error) {
        this.report(event, error);
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  private report(event: string, error: unknown): void {
    this.logger.error(
      `listener for ${event} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
