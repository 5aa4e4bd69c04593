import { useTranslations } from 'next-intl';

/** Says whether someone is online; the dot itself is drawn on their avatar. */
export function PresenceDot({ online, name }: { online: boolean; name: string }) {
  const t = useTranslations('thread.presence');
  return (
    <span
      className="sr-only"
      role="img"
      aria-label={t(online ? 'online' : 'offline', { name })}
      data-testid="presence-dot"
      data-online={online}
    />
  );
}
