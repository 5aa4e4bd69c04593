'use client';

import { useSelectedLayoutSegment } from 'next/navigation';
import type { ReactNode } from 'react';
import { ConversationList } from './conversation-list';
import styles from './inbox-layout.module.css';

/**
 * The inbox: the thread list beside the open thread on wide screens; on a phone one pane at a
 * time, the list until a thread is opened.
 */
export function InboxLayout({ children }: { children: ReactNode }) {
  const segment = useSelectedLayoutSegment();
  const openId = segment ? decodeURIComponent(segment) : null;
  return (
    <div className={styles.inbox} data-thread-open={openId ? true : undefined}>
      <div className={styles.listPane}>
        <ConversationList openId={openId} />
      </div>
      <div className={styles.threadPane}>{children}</div>
    </div>
  );
}
