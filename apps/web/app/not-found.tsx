import Link from 'next/link';
import { getTranslations } from 'next-intl/server';

export default async function NotFound() {
  const t = await getTranslations('notFound');
  return (
    <main className="center-page" data-testid="not-found">
      <h1>{t('title')}</h1>
      <p>
        <Link href="/">{t('back')}</Link>
      </p>
    </main>
  );
}
