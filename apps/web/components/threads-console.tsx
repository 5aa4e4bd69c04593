'use client';

import type { ConversationListItem, ConversationScope } from '@chat/protocol';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { chatApi } from '@/lib/api';
import { formatTime } from '@/lib/format';
import { useChatUnread } from '@/lib/hooks/use-chat-unread';
import { useSession } from '@/lib/session';

/** The booking-thread console: every thread with its last message and true-unread badge. */
export function ThreadsConsole() {
  const { user } = useSession();
  const unread = useChatUnread();
  const canSeeAll = user.role !== 'customer';
  const [scope, setScope] = useState<ConversationScope>('mine');
  const [threads, setThreads] = useState<ConversationListItem[] | null>(null);
  const [failed, setFailed] = useState(false);

  // The list is refetched whenever an unread count moves, so the last message stays current.
  const unreadKey = JSON.stringify(unread.conversations);
  useEffect(() => {
    let cancelled = false;
    chatApi.conversations(scope).then(
      (list) => {
        if (cancelled) return;
        setThreads(list);
        setFailed(false);
      },
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [scope, unreadKey]);

  return (
    <section className="threads-console" aria-labelledby="threads-title">
      <div className="page-header">
        <h1 id="threads-title">Booking threads</h1>
        {canSeeAll && (
          <div role="group" aria-label="Which threads" className="segmented">
            <button type="button" aria-pressed={scope === 'mine'} onClick={() => setScope('mine')}>
              Mine
            </button>
            <button type="button" aria-pressed={scope === 'all'} onClick={() => setScope('all')}>
              All I can open
            </button>
          </div>
        )}
      </div>
      {failed && <p role="alert">The threads could not be loaded. They will be retried.</p>}
      {threads === null ? (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      ) : threads.length === 0 ? (
        <p className="muted">No threads yet.</p>
      ) : (
        <ul className="thread-list" data-testid="thread-list">
          {threads.map((thread) => {
            const count = unread.conversations[thread.id] ?? thread.unreadCount;
            return (
              <li key={thread.id}>
                <Link
                  href={`/threads/${encodeURIComponent(thread.id)}`}
                  className="thread-row"
                  data-testid={`thread-row-${thread.id}`}
                >
                  <span className="thread-row-main">
                    <span className="thread-title">
                      {thread.bookingRef} · {thread.title}
                    </span>
                    <span className="thread-last muted">
                      {thread.lastMessage
                        ? `${thread.lastMessage.author.name}: ${thread.lastMessage.body}`
                        : 'No messages yet'}
                    </span>
                  </span>
                  <span className="thread-row-side">
                    {thread.lastMessage && (
                      <time dateTime={thread.lastMessage.createdAt} className="muted">
                        {formatTime(thread.lastMessage.createdAt)}
                      </time>
                    )}
                    {count > 0 && (
                      <span className="badge" data-testid="thread-unread-badge">
                        <span aria-hidden="true">{count}</span>
                        <span className="sr-only">{count} unread</span>
                      </span>
                    )}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
