import { useLocale, useTranslations } from 'next-intl';
import styles from './thread-view.module.css';

export function TypingIndicator({ names }: { names: string[] }) {
  const t = useTranslations('thread');
  const locale = useLocale();
  const text =
    names.length === 0
      ? ''
      : t('typing', {
          count: names.length,
          names: new Intl.ListFormat(locale, { type: 'conjunction' }).format(names),
        });
  return (
    <p className={styles.typing} data-testid="typing-indicator" aria-live="polite">
      {text && (
        <>
          <span className={styles.typingDots} aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {text}
        </>
      )}
    </p>
  );
}
