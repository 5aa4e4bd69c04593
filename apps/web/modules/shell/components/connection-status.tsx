'use client';

import { useTranslations } from 'next-intl';
import { useConnectionState } from '@/lib/realtime/realtime-context';
import styles from './connection-status.module.css';

/** The state of the shared socket, always visible: a broken socket must not look like calm. */
export function ConnectionStatus() {
  const state = useConnectionState();
  const t = useTranslations('connection');
  return (
    <span
      role="status"
      className={`${styles.status} ${styles[state]}`}
      data-testid="connection-state"
      data-state={state}
    >
      <span className={styles.dot} aria-hidden="true" />
      <span className={styles.label}>{t(state)}</span>
    </span>
  );
}
