import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { threadsEnabled } from '@/lib/flags';
import { InboxLayout } from '@/modules/inbox/components/inbox-layout';
import { SignedInShell } from '@/modules/shell/components/signed-in-shell';

// Rendered per request: a prerendered notFound() would be served with status 200.
export const dynamic = 'force-dynamic';

export default function ThreadsLayout({ children }: { children: ReactNode }) {
  // Built with NEXT_PUBLIC_THREADS_ENABLED=false, the inbox does not exist. The check runs
  // here, on the server and above the client shell (which renders nothing until the session is
  // known), so that the 404 reaches server rendering and becomes the response status.
  if (!threadsEnabled) notFound();
  return (
    <SignedInShell>
      <InboxLayout>{children}</InboxLayout>
    </SignedInShell>
  );
}
