import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { ThreadView } from '@/modules/thread/components/thread-view';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('thread'))('pageTitle') };
}

export default async function ThreadPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ThreadView conversationId={decodeURIComponent(id)} />;
}
