'use client';

import type { UserSummary } from '@chat/protocol';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useEffect, useId, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { threadApi } from '@/lib/api';
import { threadHeaderInfoEnabled } from '@/lib/flags';
import { useConnectionState } from '@/lib/realtime/realtime-context';
import { useSession } from '@/lib/session';
import { useServices } from '@/modules/shell/components/app-providers';
import { ThreadStore } from '../state/thread-store';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { PeoplePanel, ThreadHeader } from './thread-header';
import styles from './thread-view.module.css';
import { TypingIndicator } from './typing-indicator';

function useThreadStore(conversationId: string): ThreadStore | null {
  const { user } = useSession();
  const { connection, chatUnread, conversations, incoming } = useServices();
  const [store, setStore] = useState<ThreadStore | null>(null);
  useEffect(() => {
    const created = new ThreadStore({
      conversationId,
      currentUserId: user.id,
      api: threadApi,
      withHeader: threadHeaderInfoEnabled,
      onRead: (id) => chatUnread.conversationRead(id),
      onIncoming: (message) => incoming.emit(message),
      onMessage: (message) => conversations.messageSeen(message),
    });
    void created.open(connection);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- one store per open thread
    setStore(created);
    return () => created.close();
  }, [conversationId, user.id, connection, chatUnread, conversations, incoming]);
  return store;
}

/** The people panel starts open where there is room for it. */
function initiallyOpen(): boolean {
  return typeof window !== 'undefined' && window.matchMedia('(min-width: 1024px)').matches;
}

function Notice({ testId, title, body }: { testId?: string; title: string; body?: string }) {
  const t = useTranslations('thread');
  return (
    <section className={styles.notice} data-testid={testId} aria-labelledby="notice-title">
      <h1 id="notice-title">{title}</h1>
      {body && <p className="muted">{body}</p>}
      <Link href="/threads" className="button">
        {t('backToInbox')}
      </Link>
    </section>
  );
}

export function ThreadView({ conversationId }: { conversationId: string }) {
  const store = useThreadStore(conversationId);
  if (!store) return <ThreadLoading />;
  return <OpenThread key={conversationId} store={store} conversationId={conversationId} />;
}

function ThreadLoading() {
  const t = useTranslations('thread');
  return (
    <div className={styles.loading} aria-busy="true">
      <p className="muted">{t('loading')}</p>
    </div>
  );
}

function OpenThread({ store, conversationId }: { store: ThreadStore; conversationId: string }) {
  const t = useTranslations('thread');
  const { user } = useSession();
  const status = useStore(store.store, (state) => state.status);
  const conversation = useStore(store.store, (state) => state.conversation);
  const header = useStore(store.store, (state) => state.header);
  const typing = useStore(store.store, (state) => state.typing);
  const livePresence = useStore(store.store, (state) => state.presence);
  const connectionState = useConnectionState();
  const [peopleOpen, setPeopleOpen] = useState(initiallyOpen);
  const peopleId = useId();
  // Without a live socket nobody's presence is known: no dot may claim someone is online.
  const presence = connectionState === 'connected' ? livePresence : NO_PRESENCE;

  const people = useMemo(() => {
    const map = new Map<string, UserSummary>();
    for (const person of conversation?.participants ?? []) map.set(person.id, person);
    for (const person of header?.participants ?? []) map.set(person.id, person);
    return map;
  }, [conversation, header]);

  if (status === 'forbidden') {
    return (
      <Notice testId="thread-forbidden" title={t('forbiddenTitle')} body={t('forbiddenBody')} />
    );
  }
  if (status === 'not_found') {
    return <Notice testId="thread-not-found" title={t('notFoundTitle')} />;
  }
  if (status === 'error') {
    return (
      <section className={styles.notice} role="alert">
        <h1>{t('errorTitle')}</h1>
        <p className="muted">{t('errorBody')}</p>
      </section>
    );
  }
  if (status === 'loading' || !conversation) return <ThreadLoading />;

  const typingNames = Object.keys(typing)
    .map((id) => people.get(id)?.name)
    .filter((name): name is string => Boolean(name));

  return (
    <section className={styles.thread} aria-labelledby="thread-title" data-testid="thread-view">
      <ThreadHeader
        conversation={conversation}
        presence={presence}
        currentUserId={user.id}
        peopleOpen={threadHeaderInfoEnabled && header ? peopleOpen : null}
        onTogglePeople={() => setPeopleOpen((open) => !open)}
        peopleId={peopleId}
      />
      {threadHeaderInfoEnabled && header && peopleOpen && (
        <PeoplePanel id={peopleId} header={header} presence={presence} currentUserId={user.id} />
      )}
      {connectionState === 'offline' && (
        <p className={styles.offline} role="status">
          {t('offlineBanner')}
        </p>
      )}
      <MessageList
        store={store}
        currentUserId={user.id}
        people={people}
        offline={connectionState === 'offline'}
      />
      <footer className={styles.footer}>
        <TypingIndicator names={typingNames} />
        <Composer
          store={store}
          userId={user.id}
          conversationId={conversationId}
          candidates={[...people.values()].filter((person) => person.id !== user.id)}
        />
      </footer>
    </section>
  );
}

const NO_PRESENCE: Record<string, boolean> = {};
