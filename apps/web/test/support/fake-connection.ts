import type { ServerEvent, ServerFrameData } from '@chat/protocol';
import { vi } from 'vitest';
import type { ConnectionState, RealtimeConnection } from '../../lib/realtime/connection';

/** A socket stand-in that the test drives by hand. */
export class FakeConnection implements RealtimeConnection {
  state: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(s: ConnectionState, p: ConnectionState) => void>();
  private readonly listeners = new Map<string, Set<(data: never) => void>>();

  onStateChange(listener: (s: ConnectionState, p: ConnectionState) => void) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
  on<E extends ServerEvent>(event: E, listener: (data: ServerFrameData<E>) => void) {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (data: never) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (data: never) => void);
  }
  emit<E extends ServerEvent>(event: E, data: ServerFrameData<E>) {
    for (const listener of [...(this.listeners.get(event) ?? [])])
      (listener as (d: unknown) => void)(data);
  }
  setState(state: ConnectionState) {
    const previous = this.state;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state, previous);
  }
  subscribeConversation = vi.fn(() => () => undefined);
  sendTyping = vi.fn();
  close = vi.fn();
}
