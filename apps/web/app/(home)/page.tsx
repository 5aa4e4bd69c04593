import Link from 'next/link';
import { threadsEnabled } from '@/lib/flags';

export default function HomePage() {
  return (
    <section className="home">
      <h1>Welcome</h1>
      <p>Your booking conversations and notifications, live.</p>
      {threadsEnabled && (
        <p>
          <Link href="/threads">Open the booking threads</Link>
        </p>
      )}
    </section>
  );
}
