import { PUBLIC_GATEWAY_PATH } from '@chat/protocol';
import { configuredWebSocketUrl } from '../flags';
import { resolveWebSocketUrl, type RealtimeConnection } from './connection';

export function webSocketUrl(): string {
  return resolveWebSocketUrl(configuredWebSocketUrl, window.location, PUBLIC_GATEWAY_PATH);
}

/** Opens the tab's shared socket. */
export function createRealtimeConnection(): RealtimeConnection {
  // Wired to @chat/realtime-client once it lands; until then the page works over HTTP only.
  const listeners = new Set<() => void>();
  return {
    state: 'offline',
    onStateChange: (listener) => {
      listeners.add(listener as () => void);
      return () => listeners.delete(listener as () => void);
    },
    on: () => () => undefined,
    subscribeConversation: () => () => undefined,
    sendTyping: () => undefined,
    close: () => listeners.clear(),
  };
}
