'use client';

import type { Message, UserSummary } from '@chat/protocol';
import { useLocale, useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { AlertIcon, CheckIcon, ClockIcon, DoubleCheckIcon } from '@/components/ui/icons';
import { formatFull, formatTime } from '@/lib/dates';
import { richText } from '../lib/rich-text';
import type { PendingMessage } from '../state/thread-store';
import styles from './message-list.module.css';

/** A body as text, mentions and safe links: React text nodes and anchors, never HTML. */
export function MessageBody({ body }: { body: string }) {
  return (
    <p className={`${styles.body} message-body`} data-testid="message-body">
      {richText(body).map((part, index) =>
        part.kind === 'mention' ? (
          <span key={index} className={styles.mention}>
            {part.text}
          </span>
        ) : part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

function Stamp({ iso, children }: { iso: string; children?: ReactNode }) {
  const locale = useLocale();
  const date = new Date(iso);
  return (
    <span className={styles.stamp}>
      <time dateTime={iso} title={formatFull(date, locale)}>
        {formatTime(date, locale)}
      </time>
      {children}
    </span>
  );
}

/** A confirmed message; ours carry sent or seen. */
export function MessageBubble({
  message,
  mine,
  first,
  last,
  seen,
  seenBy,
}: {
  message: Message;
  mine: boolean;
  first: boolean;
  last: boolean;
  /** Someone else has read it (ours only). */
  seen: boolean;
  /** The people whose "Seen" goes under it. */
  seenBy: UserSummary[];
}) {
  const t = useTranslations('thread');
  const locale = useLocale();
  const classes = [styles.row, mine ? styles.mine : styles.theirs];
  if (first) classes.push(styles.first);
  if (last) classes.push(styles.last);
  return (
    <li
      className={classes.join(' ')}
      data-seq={message.seq}
      data-author={message.author.id}
      data-testid="message"
    >
      {!mine && (
        <span className={styles.avatarSlot}>
          {first && <Avatar id={message.author.id} name={message.author.name} size={32} />}
        </span>
      )}
      <div className={styles.column}>
        {first && !mine && <span className={styles.author}>{message.author.name}</span>}
        {first && mine && <span className="sr-only">{t('you')}</span>}
        <div className={styles.bubble}>
          <MessageBody body={message.body} />
          <Stamp iso={message.createdAt}>
            {mine && (
              <span
                className={seen ? `${styles.tick} ${styles.seen}` : styles.tick}
                role="img"
                aria-label={seen ? t('status.seen') : t('status.sent')}
                data-testid="message-status"
                data-status={seen ? 'seen' : 'sent'}
              >
                {seen ? <DoubleCheckIcon size={15} /> : <CheckIcon size={15} />}
              </span>
            )}
          </Stamp>
        </div>
        {seenBy.length > 0 && (
          <span className={styles.seenBy} data-testid="seen-by">
            {t('seenBy', { names: new Intl.ListFormat(locale).format(seenBy.map((p) => p.name)) })}
          </span>
        )}
      </div>
    </li>
  );
}

/** One of ours on its way, waiting for the network, or failed with Retry. */
export function PendingBubble({
  entry,
  first,
  last,
  offline,
  onRetry,
  onDiscard,
}: {
  entry: PendingMessage;
  first: boolean;
  last: boolean;
  offline: boolean;
  onRetry(): void;
  onDiscard(): void;
}) {
  const t = useTranslations('thread');
  const waiting = entry.status !== 'failed' && offline;
  const label =
    entry.status === 'failed'
      ? t('status.failed')
      : waiting
        ? t('status.waiting')
        : t('status.sending');
  const classes = [styles.row, styles.mine, styles.pending];
  if (entry.status === 'failed') classes.push(styles.failed);
  if (first) classes.push(styles.first);
  if (last) classes.push(styles.last);
  return (
    <li
      className={classes.join(' ')}
      data-testid="pending-message"
      data-status={waiting ? 'waiting' : entry.status}
    >
      <div className={styles.column}>
        <div className={styles.bubble}>
          <MessageBody body={entry.body} />
          <span className={styles.stamp}>
            <span className={styles.tick} role="img" aria-label={label}>
              {entry.status === 'failed' ? <AlertIcon size={15} /> : <ClockIcon size={15} />}
            </span>
          </span>
        </div>
        {(entry.status === 'failed' || waiting) && (
          <div
            className={styles.pendingNote}
            role={entry.status === 'failed' ? 'alert' : undefined}
          >
            <span>{label}</span>
            {entry.status === 'failed' && (
              <>
                <button type="button" className="button button-quiet" onClick={onRetry}>
                  {t('retry')}
                </button>
                <button type="button" className="button button-quiet" onClick={onDiscard}>
                  {t('discard')}
                </button>
              </>
            )}
          </div>
        )}
      </div>
    </li>
  );
}
