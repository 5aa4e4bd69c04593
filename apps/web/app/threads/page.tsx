import type { Metadata } from 'next';
import { ThreadsConsole } from '@/components/threads-console';

export const metadata: Metadata = { title: 'Threads' };

export default function ThreadsPage() {
  return <ThreadsConsole />;
}
