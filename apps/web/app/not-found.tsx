import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="center-page" data-testid="not-found">
      <h1>Page not found</h1>
      <p>
        <Link href="/">Back to the start</Link>
      </p>
    </main>
  );
}
