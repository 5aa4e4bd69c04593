import { useTranslations } from 'next-intl';
import { InboxIcon } from '@/components/ui/icons';

/** The thread pane before a thread is chosen (wide screens only). */
export function InboxEmptyPane() {
  const t = useTranslations('inbox');
  return (
    <div
      style={{
        display: 'grid',
        placeContent: 'center',
        justifyItems: 'center',
        gap: '0.5rem',
        height: '100%',
        padding: '2rem',
        textAlign: 'center',
      }}
    >
      <span style={{ color: 'var(--muted)' }}>
        <InboxIcon size={40} />
      </span>
      <h1 style={{ fontSize: '1.1rem' }}>{t('selectTitle')}</h1>
      <p className="muted" style={{ margin: 0, maxWidth: '24rem' }}>
        {t('selectBody')}
      </p>
    </div>
  );
}
