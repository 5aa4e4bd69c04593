import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import { type Message, type Notification } from '@chat/protocol';

/**
 * What the domain reports. Services emit these on the replica that did the work; the realtime
 * layer decides who receives them and carries them to the other replicas.
 */
export interface DomainEventMap {
  /**
   * A post was stored: first (`created`) or again, by a retry with the same `clientMessageId`
   * (`created: false`, the stored message). Its steps run on both, so a retry completes what a
   * failed attempt left out.
   */
  'message.posted': {
    message: Message;
    created: boolean;
    bookingRef: string;
  };
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
  /** A user's name or handle changed: what finds their threads changed. */
  'user.profile.changed': { userId: string };
  /** A thread's booking moved to another country: who may open it may have changed. */
  'conversation.access.changed': { conversationId: string };
}

export type DomainEventName = keyof DomainEventMap;
type Listener<E extends DomainEventName> = (payload: DomainEventMap[E]) => void | Promise<void>;

/**
 * Two kinds of subscriber:
 * - a listener (`on`) is told after the fact; its failure is logged and never fails the work
 *   that emitted the event (delivery to sockets);
 * - a step (`handle`) is part of the work: `dispatch` waits for every step and fails if one did,
 *   so the caller reports the failure and its retry runs the steps again. Steps must therefore
 *   be idempotent (mention notifications are created once per message and user).
 */
@Injectable()
export class DomainEvents {
  private readonly emitter = new EventEmitter();
  private readonly steps = new Map<DomainEventName, Array<Listener<never>>>();
  private readonly logger = new Logger(DomainEvents.name);

  emit<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): void {
    this.emitter.emit(event, payload);
  }

  /** Tells the listeners, then runs the steps; rejects with the first step that failed. */
  async dispatch<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): Promise<void> {
    this.emit(event, payload);
    const steps = (this.steps.get(event) ?? []) as Array<Listener<E>>;
    const results = await Promise.allSettled(steps.map(async (step) => step(payload)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
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

  /** Registers an idempotent step of `event`'s work (see {@link dispatch}). */
  handle<E extends DomainEventName>(event: E, step: Listener<E>): () => void {
    const steps = this.steps.get(event) ?? [];
    steps.push(step as Listener<never>);
    this.steps.set(event, steps);
    return () => {
      const index = steps.indexOf(step as Listener<never>);
      if (index >= 0) steps.splice(index, 1);
    };
  }

  private report(event: string, error: unknown): void {
    this.logger.error({ err: error }, `listener for ${event} failed`);
  }
}
