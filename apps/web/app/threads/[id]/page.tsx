import type { Metadata } from 'next';
import { ThreadView } from '@/components/thread/thread-view';

export const metadata: Metadata = { title: 'Thread' };

export default async function ThreadPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ThreadView conversationId={decodeURIComponent(id)} />;
}
