'use client';

import type { Message } from '@chat/protocol';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { formatTime, splitMentions } from '@/lib/format';
import type { ThreadState, ThreadStore } from '@/lib/stores/thread-store';

function MessageBody({ body }: { body: string }) {
  // Text nodes only: a body is never parsed as HTML.
  return (
    <p className="message-body">
      {splitMentions(body).map((part, index) =>
        part.mention ? (
          <span key={index} className="mention">
            {part.text}
          </span>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

function MessageItem({ message, mine }: { message: Message; mine: boolean }) {
  return (
    <li
      className={mine ? 'message mine' : 'message'}
      data-seq={message.seq}
      data-author={message.author.id}
      data-testid="message"
    >
      <div className="message-meta">
        <span className="message-author">{mine ? 'You' : message.author.name}</span>
        <time dateTime={message.createdAt}>{formatTime(message.createdAt)}</time>
      </div>
      <MessageBody body={message.body} />
    </li>
  );
}

/**
 * History with load-older, pending sends, and read marking: a message counts as read once it
 * has been on screen in a visible tab.
 */
export function MessageList({
  state,
  store,
  currentUserId,
}: {
  state: ThreadState;
  store: ThreadStore;
  currentUserId: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const previousFirstSeq = useRef<number | null>(null);
  const previousHeight = useRef(0);

  // Keep the view at the bottom for new messages, and in place when older ones are prepended.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const firstSeq = state.messages[0]?.seq ?? null;
    if (
      previousFirstSeq.current !== null &&
      firstSeq !== null &&
      firstSeq < previousFirstSeq.current
    ) {
      element.scrollTop += element.scrollHeight - previousHeight.current;
    } else if (stickToBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
    previousFirstSeq.current = firstSeq;
    previousHeight.current = element.scrollHeight;
  }, [state.messages, state.pending]);

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
  }, [state.messages, store, currentUserId]);

  const incoming = state.lastIncoming;
  return (
    <>
      <div
        ref={scroller}
        className="messages"
        data-testid="messages"
        tabIndex={0}
        role="region"
        aria-label="Message history"
        onScroll={(event) => {
          const element = event.currentTarget;
          stickToBottom.current =
            element.scrollHeight - element.scrollTop - element.clientHeight < 48;
        }}
      >
        {state.hasMore && (
          <button
            type="button"
            className="button-link load-older"
            onClick={() => void store.loadOlder()}
            disabled={state.loadingOlder}
          >
            {state.loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        {state.messages.length === 0 && state.pending.length === 0 && (
          <p className="muted">No messages yet. Say hello.</p>
        )}
        <ol className="message-list">
          {state.messages.map((message) => (
            <MessageItem
              key={message.seq}
              message={message}
              mine={message.author.id === currentUserId}
            />
          ))}
          {state.pending.map((entry) => (
            <li
              key={entry.clientMessageId}
              className={`message mine pending ${entry.status}`}
              data-testid="pending-message"
              data-status={entry.status}
            >
              <div className="message-meta">
                <span className="message-author">You</span>
                <span>{entry.status === 'sending' ? 'Sending…' : 'Not sent'}</span>
              </div>
              <MessageBody body={entry.body} />
              {entry.status === 'failed' && (
                <div className="pending-actions">
                  <button type="button" onClick={() => void store.retry(entry.clientMessageId)}>
                    Retry
                  </button>
                  <button
                    type="button"
                    className="button-link"
                    onClick={() => store.discard(entry.clientMessageId)}
                  >
                    Discard
                  </button>
                </div>
              )}
            </li>
          ))}
        </ol>
      </div>
      {/* Announces messages from others as they arrive; history is not read out. */}
      <div className="sr-only" aria-live="polite" data-testid="incoming-announcer">
        {incoming ? `${incoming.author.name}: ${incoming.body}` : ''}
      </div>
    </>
  );
}
