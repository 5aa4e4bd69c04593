import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoginForm } from '@/components/login-form';

export const metadata: Metadata = { title: 'Log in' };

export default function LoginPage() {
  return (
    <main className="center-page">
      <Suspense>
        <LoginForm />
      </Suspense>
    </main>
  );
}
