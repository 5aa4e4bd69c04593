'use client';

import Link from 'next/link';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { threadApi } from '@/lib/api';
import { threadHeaderInfoEnabled } from '@/lib/flags';
import { useChatUnreadStore } from '@/lib/hooks/use-chat-unread';
import { useConnectionState, useRealtime } from '@/lib/realtime/realtime-context';
import { useSession } from '@/lib/session';
import { ThreadStore } from '@/lib/stores/thread-store';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { PresenceDot } from './presence-dot';
import { ThreadHeader } from './thread-header';
import { TypingIndicator } from './typing-indicator';

function useThreadStore(conversationId: string): ThreadStore {
  const { user } = useSession();
  const connection = useRealtime();
  const chatUnread = useChatUnreadStore();
  const [store, setStore] = useState<ThreadStore | null>(null);
  useEffect(() => {
    const created = new ThreadStore({
      conversationId,
      currentUserId: user.id,
      api: threadApi,
      withHeader: threadHeaderInfoEnabled,
      onRead: (id) => chatUnread.markConversationRead(id),
      onIncoming: (message) => chatUnread.messageArrived(message.conversationId, message.seq),
      onResumed: () => void chatUnread.refresh(),
    });
    void created.open(connection);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- one store per open thread
    setStore(created);
    return () => created.close();
  }, [conversationId, user.id, connection, chatUnread]);
  return store ?? PLACEHOLDER;
}

const PLACEHOLDER = new ThreadStore({
  conversationId: '',
  currentUserId: '',
  api: threadApi,
  withHeader: false,
});

const NO_PRESENCE: Record<string, boolean> = {};

export function ThreadView({ conversationId }: { conversationId: string }) {
  const store = useThreadStore(conversationId);
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const { user } = useSession();
  // Without a live socket nobody's presence is known: no dot may claim someone is online.
  const live = useConnectionState() === 'connected';
  const presence = live ? state.presence : NO_PRESENCE;

  if (state.status === 'forbidden') {
    return (
      <section className="notice" data-testid="thread-forbidden" aria-labelledby="forbidden-title">
        <h1 id="forbidden-title">You don’t have access to this thread</h1>
        <p>It belongs to a booking outside your scope. Ask an administrator if you need it.</p>
        <Link href="/threads">Back to threads</Link>
      </section>
    );
  }
  if (state.status === 'not_found') {
    return (
      <section className="notice" data-testid="thread-not-found">
        <h1>Thread not found</h1>
        <Link href="/threads">Back to threads</Link>
      </section>
    );
  }
  if (state.status === 'error') {
    return (
      <section className="notice" role="alert">
        <h1>The thread could not be loaded</h1>
        <p>Reload the page to try again.</p>
      </section>
    );
  }
  if (state.status === 'loading' || !state.conversation) {
    return (
      <p className="muted" aria-busy="true">
        Loading thread…
      </p>
    );
  }

  const { conversation } = state;
  const people = new Map(conversation.participants.map((person) => [person.id, person]));
  for (const person of state.header?.participants ?? []) people.set(person.id, person);
  const typingNames = Object.keys(state.typing)
    .map((id) => people.get(id)?.name)
    .filter((name): name is string => Boolean(name));

  return (
    <section className="thread" aria-labelledby="thread-title" data-testid="thread-view">
      <div className="thread-titlebar">
        <h1 id="thread-title">
          {conversation.booking.ref} · {conversation.title}
        </h1>
        <ul className="avatars" aria-label="Participants">
          {conversation.participants.map((person) => (
            <li key={person.id} title={person.name}>
              <PresenceDot online={presence[person.id] ?? false} name={person.name} />
              <span>{person.id === user.id ? 'You' : person.name}</span>
            </li>
          ))}
        </ul>
      </div>
      {threadHeaderInfoEnabled && state.header && (
        <ThreadHeader header={state.header} presence={presence} />
      )}
      <MessageList state={state} store={store} currentUserId={user.id} />
      <TypingIndicator names={typingNames} />
      <Composer
        store={store}
        userId={user.id}
        conversationId={conversationId}
        candidates={[...people.values()].filter((person) => person.id !== user.id)}
      />
    </section>
  );
}
