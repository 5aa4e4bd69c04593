import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { InboxEmptyPane } from '@/modules/inbox/components/inbox-empty-pane';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('inbox'))('title') };
}

export default function ThreadsPage() {
  return <InboxEmptyPane />;
}
