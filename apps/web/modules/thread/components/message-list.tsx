'use client';

import type { UserSummary } from '@chat/protocol';
import { useLocale, useTranslations } from 'next-intl';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { ArrowDownIcon } from '@/components/ui/icons';
import { formatDay } from '@/lib/dates';
import { useNow } from '@/modules/shell/hooks/use-now';
import { buildTimeline, seenBySeq } from '../lib/timeline';
import type { ThreadStore } from '../state/thread-store';
import { MessageBubble, PendingBubble } from './message-bubble';
import styles from './message-list.module.css';

/** Within this distance of the bottom, the list follows new messages. */
const NEAR_BOTTOM_PX = 64;

/**
 * The conversation: days, the unread divider, grouped messages with sent and seen, pending
 * sends with Retry. It opens at the first unread message (else at the end), follows new
 * messages while at the end and counts them in a pill while scrolled up, loads history as the
 * top comes into view, and marks read what has been on screen in a visible tab.
 */
export function MessageList({
  store,
  currentUserId,
  people,
  offline,
}: {
  store: ThreadStore;
  currentUserId: string;
  people: ReadonlyMap<string, UserSummary>;
  offline: boolean;
}) {
  const t = useTranslations('thread');
  const locale = useLocale();
  const now = useNow(60_000);
  const messages = useStore(store.store, (state) => state.messages);
  const pending = useStore(store.store, (state) => state.pending);
  const hasMore = useStore(store.store, (state) => state.hasMore);
  const loadingOlder = useStore(store.store, (state) => state.loadingOlder);
  const readMarkers = useStore(store.store, (state) => state.readMarkers);
  const firstUnreadSeq = useStore(store.store, (state) => state.firstUnreadSeq);
  const lastIncoming = useStore(store.store, (state) => state.lastIncoming);

  const scroller = useRef<HTMLDivElement>(null);
  const topSentinel = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const placed = useRef(false);
  const previousFirstSeq = useRef<number | null>(null);
  const previousHeight = useRef(0);
  const seenLastSeq = useRef(0);
  const [unseen, setUnseen] = useState(0);

  const timeline = useMemo(
    () => buildTimeline({ messages, pending, currentUserId, firstUnreadSeq }),
    [messages, pending, currentUserId, firstUnreadSeq],
  );
  const seenBy = useMemo(
    () => seenBySeq(messages, readMarkers, currentUserId),
    [messages, readMarkers, currentUserId],
  );
  const othersRead = useMemo(
    () =>
      Math.max(
        0,
        ...Object.entries(readMarkers)
          .filter(([userId]) => userId !== currentUserId)
          .map(([, seq]) => seq),
      ),
    [readMarkers, currentUserId],
  );

  const scrollToBottom = () => {
    const element = scroller.current;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  };

  // Where the view goes: at first to the unread divider (or the end); then in place when older
  // messages are put above, to the end for new ones while at the end.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || messages.length === 0) return;
    const firstSeq = messages[0]!.seq;
    const lastSeq = messages.at(-1)!.seq;
    if (!placed.current) {
      placed.current = true;
      const divider = element.querySelector<HTMLElement>('[data-testid="unread-divider"]');
      if (divider) {
        element.scrollTop = divider.offsetTop - element.clientHeight / 4;
        atBottom.current =
          element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
      } else {
        element.scrollTop = element.scrollHeight;
      }
    } else if (previousFirstSeq.current !== null && firstSeq < previousFirstSeq.current) {
      element.scrollTop += element.scrollHeight - previousHeight.current;
    } else if (atBottom.current) {
      element.scrollTop = element.scrollHeight;
    } else if (lastSeq > seenLastSeq.current) {
      const arrived = messages.filter(
        (message) => message.seq > seenLastSeq.current && message.author.id !== currentUserId,
      ).length;
      if (arrived > 0) setUnseen((count) => count + arrived);
    }
    previousFirstSeq.current = firstSeq;
    previousHeight.current = element.scrollHeight;
    seenLastSeq.current = Math.max(seenLastSeq.current, lastSeq);
  }, [messages, currentUserId]);

  // The list keeps to its end when it shrinks (the composer grows, a phone's keyboard opens).
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Our own sends bring the view to the end.
  useLayoutEffect(() => {
    if (pending.length > 0) scrollToBottom();
  }, [pending.length]);

  // History loads as its top comes into view.
  useEffect(() => {
    const element = scroller.current;
    const sentinel = topSentinel.current;
    if (!element || !sentinel || !hasMore) return;
    const observer = new IntersectionObserver(
      ([entry]) => {
        if (entry?.isIntersecting && placed.current) void store.loadOlder();
      },
      { root: element, rootMargin: '200px 0px 0px 0px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [store, hasMore, loadingOlder]);

  // A message counts as read once it has been on screen in a visible tab.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    let visibleMax = 0;
    const flush = () => {
      if (visibleMax > 0 && document.visibilityState === 'visible') void store.markRead(visibleMax);
    };
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const seq = Number((entry.target as HTMLElement).dataset.seq);
          if (seq > visibleMax) visibleMax = seq;
        }
        flush();
      },
      { root: element, threshold: 0.6 },
    );
    for (const item of element.querySelectorAll<HTMLElement>('li[data-seq]')) {
      if (item.dataset.author !== currentUserId) observer.observe(item);
    }
    document.addEventListener('visibilitychange', flush);
    return () => {
      observer.disconnect();
      document.removeEventListener('visibilitychange', flush);
    };
  }, [messages, store, currentUserId]);

  return (
    <div className={styles.frame}>
      <div
        ref={scroller}
        className={styles.scroller}
        data-testid="messages"
        tabIndex={0}
        role="region"
        aria-label={t('history')}
        onScroll={(event) => {
          const element = event.currentTarget;
          atBottom.current =
            element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
          if (atBottom.current && unseen > 0) setUnseen(0);
        }}
      >
        <div ref={topSentinel} className={styles.sentinel} />
        {hasMore && (
          <div className={styles.older}>
            <button
              type="button"
              className="button button-quiet"
              onClick={() => void store.loadOlder()}
              disabled={loadingOlder}
            >
              {loadingOlder ? t('loadingOlder') : t('loadOlder')}
            </button>
          </div>
        )}
        {!hasMore && messages.length > 0 && <p className={styles.start}>{t('start')}</p>}
        {messages.length === 0 && pending.length === 0 && (
          <div className={styles.empty}>
            <p className={styles.emptyTitle}>{t('emptyTitle')}</p>
            <p className="muted">{t('emptyBody')}</p>
          </div>
        )}
        <ol className={styles.list}>
          {timeline.map((item) => {
            switch (item.kind) {
              case 'day':
                return (
                  <li key={item.key} className={styles.day} data-testid="day-separator">
                    <span>{formatDay(item.date, now, locale)}</span>
                  </li>
                );
              case 'unread':
                return (
                  <li key={item.key} className={styles.unreadDivider} data-testid="unread-divider">
                    <span>{t('newMessages')}</span>
                  </li>
                );
              case 'message':
                return (
                  <MessageBubble
                    key={item.key}
                    message={item.message}
                    mine={item.mine}
                    first={item.first}
                    last={item.last}
                    seen={item.mine && othersRead >= item.message.seq}
                    seenBy={(seenBy.get(item.message.seq) ?? []).flatMap(
                      (userId) => people.get(userId) ?? [],
                    )}
                  />
                );
              case 'pending':
                return (
                  <PendingBubble
                    key={item.key}
                    entry={item.entry}
                    first={item.first}
                    last={item.last}
                    offline={offline}
                    onRetry={() => store.retry(item.entry.clientMessageId)}
                    onDiscard={() => store.discard(item.entry.clientMessageId)}
                  />
                );
            }
          })}
        </ol>
      </div>
      {unseen > 0 && (
        <button
          type="button"
          className={styles.pill}
          data-testid="new-messages-pill"
          onClick={scrollToBottom}
        >
          <ArrowDownIcon size={16} />
          {t('newCount', { count: unseen })}
        </button>
      )}
      {/* Announces messages from others as they arrive; history is not read out. */}
      <div className="sr-only" aria-live="polite" data-testid="incoming-announcer">
        {lastIncoming ? `${lastIncoming.author.name}: ${lastIncoming.body}` : ''}
      </div>
    </div>
  );
}
