'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useId, useRef, useState } from 'react';
import { SearchIcon } from '@/components/ui/icons';
import { useSession } from '@/lib/session';
import { useNow } from '@/modules/shell/hooks/use-now';
import { useConversations, useInboxScope } from '../hooks/use-conversations';
import { ConversationItem } from './conversation-item';
import styles from './conversation-list.module.css';

/** The threads list: search, all or unread, mine or everything in scope (staff), live. */
export function ConversationList({ openId }: { openId: string | null }) {
  const t = useTranslations('inbox');
  const { user } = useSession();
  const [search, setSearch] = useState('');
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [scope, setScope] = useInboxScope();
  const { entries, failed, hasMore, loadingMore, loadMore } = useConversations('inbox', {
    search,
    unread: unreadOnly,
  });
  const now = useNow(60_000);
  const end = useRef<HTMLLIElement>(null);

  // The next page loads as the end of the list comes into view.
  useEffect(() => {
    const element = end.current;
    if (!element || !hasMore) return;
    const observer = new IntersectionObserver(([entry]) => {
      if (entry?.isIntersecting) loadMore();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, loadMore, entries]);
  const searchId = useId();
  const canSeeAll = user.role !== 'customer';

  return (
    <section className={styles.list} aria-labelledby="inbox-title">
      <header className={styles.header}>
        <div className={styles.titleRow}>
          <h2 id="inbox-title">{t('title')}</h2>
          {canSeeAll && (
            <div role="group" aria-label={t('scope')} className="segmented">
              <button
                type="button"
                aria-pressed={scope === 'mine'}
                onClick={() => setScope('mine')}
              >
                {t('scopes.mine')}
              </button>
              <button type="button" aria-pressed={scope === 'all'} onClick={() => setScope('all')}>
                {t('scopes.all')}
              </button>
            </div>
          )}
        </div>
        <div className={styles.search}>
          <SearchIcon size={18} className={styles.searchIcon} />
          <label htmlFor={searchId} className="sr-only">
            {t('searchLabel')}
          </label>
          <input
            id={searchId}
            type="search"
            placeholder={t('search')}
            value={search}
            data-testid="inbox-search"
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        <div role="group" aria-label={t('filter')} className="segmented">
          <button type="button" aria-pressed={!unreadOnly} onClick={() => setUnreadOnly(false)}>
            {t('filters.all')}
          </button>
          <button
            type="button"
            aria-pressed={unreadOnly}
            data-testid="inbox-filter-unread"
            onClick={() => setUnreadOnly(true)}
          >
            {t('filters.unread')}
          </button>
        </div>
      </header>
      {failed && entries === null ? (
        <p role="alert" className={styles.state}>
          {t('failed')}
        </p>
      ) : entries === null ? (
        <ul className={styles.items} aria-busy="true" aria-label={t('loading')}>
          {[0, 1, 2, 3].map((index) => (
            <li key={index} className={styles.skeleton} />
          ))}
        </ul>
      ) : entries.length === 0 ? (
        <div className={styles.state}>
          <p className={styles.emptyTitle}>
            {search ? t('emptySearch') : unreadOnly ? t('emptyUnread') : t('empty')}
          </p>
          {!search && !unreadOnly && <p className="muted">{t('emptyBody')}</p>}
        </div>
      ) : (
        <ul className={styles.items} data-testid="thread-list">
          {entries.map((entry) => (
            <ConversationItem
              key={entry.id}
              entry={entry}
              active={entry.id === openId}
              now={now}
              currentUserId={user.id}
            />
          ))}
          {hasMore && (
            <li ref={end} className={styles.more}>
              <button
                type="button"
                className="button button-quiet"
                disabled={loadingMore}
                data-testid="inbox-more"
                onClick={loadMore}
              >
                {loadingMore ? t('loading') : t('more')}
              </button>
            </li>
          )}
        </ul>
      )}
      {failed && entries !== null && (
        <p role="status" className={styles.stale}>
          {t('stale')}
        </p>
      )}
    </section>
  );
}
