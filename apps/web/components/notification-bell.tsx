'use client';

import Link from 'next/link';
import { useEffect, useId, useRef, useState } from 'react';
import { useNotificationCenter, useNotifications } from '@/lib/hooks/use-notifications';
import { formatTime } from '@/lib/format';
import { safeNextPath } from '@/lib/safe-path';

/** The bell: an unread badge and a dropdown with mark-read and mark-all-read. */
export function NotificationBell() {
  const center = useNotificationCenter();
  const { unreadCount, notifications, hasMore } = useNotifications();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const container = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    void center.loadList().catch(() => undefined);
    const onPointer = (event: PointerEvent) => {
      if (!container.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, center]);

  const label = unreadCount > 0 ? `Notifications, ${unreadCount} unread` : 'Notifications';
  return (
    <div className="bell" ref={container}>
      <button
        ref={button}
        type="button"
        className="bell-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={panelId}
        data-testid="bell-button"
        onClick={() => setOpen((value) => !value)}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {unreadCount > 0 && (
          <span className="badge bell-badge" data-testid="bell-badge" aria-hidden="true">
            {unreadCount > 99 ? '99+' : unreadCount}
          </span>
        )}
      </button>
      {open && (
        <section
          id={panelId}
          className="bell-panel"
          aria-label="Notifications"
          data-testid="bell-panel"
        >
          <header className="bell-panel-header">
            <h2>Notifications</h2>
            <button
              type="button"
              className="button-link"
              disabled={unreadCount === 0}
              onClick={() => void center.markAllRead()}
            >
              Mark all read
            </button>
          </header>
          {notifications === null ? (
            <p className="muted">Loading…</p>
          ) : notifications.length === 0 ? (
            <p className="muted">Nothing yet.</p>
          ) : (
            <ul className="bell-list">
              {notifications.map((item) => (
                <li
                  key={item.id}
                  className={item.readAt ? 'bell-item' : 'bell-item unread'}
                  data-testid="bell-item"
                >
                  <div className="bell-item-text">
                    {item.link ? (
                      <Link
                        href={safeNextPath(item.link)}
                        onClick={() => {
                          void center.markRead(item.id);
                          setOpen(false);
                        }}
                      >
                        {item.title}
                      </Link>
                    ) : (
                      <strong>{item.title}</strong>
                    )}
                    {item.body && <p>{item.body}</p>}
                    <time dateTime={item.createdAt}>{formatTime(item.createdAt)}</time>
                  </div>
                  {!item.readAt && (
                    <button
                      type="button"
                      className="button-link"
                      aria-label={`Mark "${item.title}" read`}
                      onClick={() => void center.markRead(item.id)}
                    >
                      Mark read
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {hasMore && (
            <button type="button" className="button-link" onClick={() => void center.loadMore()}>
              Older notifications
            </button>
          )}
        </section>
      )}
    </div>
  );
}
