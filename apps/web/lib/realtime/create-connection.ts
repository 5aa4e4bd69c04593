import { PUBLIC_GATEWAY_PATH, type ServerEvent, type ServerFrameData } from '@chat/protocol';
import {
  RealtimeClient,
  type ClosedInfo,
  type ConnectionState,
  type RealtimeClientEvents,
} from '@chat/realtime-client';
import { configuredWebSocketUrl } from '../flags';
import { resolveWebSocketUrl, type RealtimeConnection } from './connection';

export function webSocketUrl(): string {
  return resolveWebSocketUrl(configuredWebSocketUrl, window.location, PUBLIC_GATEWAY_PATH);
}

// Protocol event names → the client's events for the frames the UI listens to directly.
const CLIENT_EVENT = {
  ready: 'ready',
  typing: 'typing',
  presence: 'presence',
  unread: 'unread',
  'notification.new': 'notification',
  'notification.unread': 'notificationUnread',
  'read.receipt': 'receipt',
} as const satisfies Partial<Record<ServerEvent, keyof RealtimeClientEvents>>;

type ListenedEvent = keyof typeof CLIENT_EVENT;

/**
 * The tab's shared socket: `@chat/realtime-client` (states, backoff, resume with `since`,
 * dedupe by `seq`) behind the narrow port the UI is written against.
 */
export function createRealtimeConnection(
  onSessionEnded: (info: ClosedInfo) => void,
): RealtimeConnection {
  const client = new RealtimeClient({ url: webSocketUrl });
  let previous: ConnectionState = client.state;
  const stateListeners = new Set<(state: ConnectionState, previous: ConnectionState) => void>();
  client.on('state', (state, info) => {
    const before = previous;
    previous = state;
    for (const listener of stateListeners) listener(state, before);
    if (state === 'closed' && info?.code === 4401) onSessionEnded(info);
  });
  client.connect();

  return {
    get state() {
      return client.state;
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    on<E extends ServerEvent>(event: E, listener: (data: ServerFrameData<E>) => void) {
      const clientEvent = CLIENT_EVENT[event as ListenedEvent];
      if (!clientEvent) throw new Error(`${event} is not delivered as a plain event`);
      return client.on(clientEvent, listener as never);
    },
    subscribeConversation(conversationId, since, handlers) {
      const offMessage = client.on('message', (message) => {
        if (message.conversationId === conversationId) handlers.onMessage(message);
      });
      const offSubscribed = client.on('subscribed', (data) => {
        if (data.conversationId === conversationId) handlers.onSubscribed?.(data);
      });
      const offEnded = client.on('unsubscribed', (endedId) => {
        if (endedId === conversationId) handlers.onEnded?.();
      });
      client.subscribe(conversationId, since === undefined ? {} : { since });
      return () => {
        offMessage();
        offSubscribed();
        offEnded();
        client.unsubscribe(conversationId);
      };
    },
    sendTyping: (conversationId) => client.typing(conversationId),
    close: () => client.close(),
  };
}
