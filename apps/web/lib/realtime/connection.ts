import type { Message, ServerEvent, ServerFrameData } from '@chat/protocol';
import type { ConnectionState } from '@chat/realtime-client';

export type { ConnectionState };

export interface ConversationHandlers {
  /** Live and replayed messages, each `seq` at most once, in order. */
  onMessage(message: Message): void;
  /** After every (re)subscribe; `recovered: false` means the caller refetches over HTTP. */
  onSubscribed?(data: ServerFrameData<'subscribed'>): void;
  /** The server refused the subscription (for example `forbidden`). */
  onError?(data: ServerFrameData<'error'>): void;
  /**
   * The server ended the subscription on its own (`unsubscribed` without a request): the user
   * may no longer see the conversation, because their role or country, or the thread's, changed.
   */
  onEnded?(): void;
}

/**
 * The narrow port the UI uses for the shared socket. One connection per tab carries chat and
 * the bell; the implementation resumes every subscription after a reconnect.
 */
export interface RealtimeConnection {
  readonly state: ConnectionState;
  onStateChange(listener: (state: ConnectionState, previous: ConnectionState) => void): () => void;
  on<E extends ServerEvent>(event: E, listener: (data: ServerFrameData<E>) => void): () => void;
  /** Subscribes to a conversation, resuming after `since` when given. */
  subscribeConversation(
    conversationId: string,
    since: number | undefined,
    handlers: ConversationHandlers,
  ): () => void;
  sendTyping(conversationId: string): void;
  close(): void;
}

/** The WebSocket URL: `NEXT_PUBLIC_WS_URL` when set, else same-origin `/api/ws/chat`. */
export function resolveWebSocketUrl(
  configured: string,
  location: { protocol: string; host: string },
  gatewayPath: string,
): string {
  if (configured.trim()) return configured.trim();
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${gatewayPath}`;
}
