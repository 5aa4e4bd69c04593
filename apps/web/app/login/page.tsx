import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Suspense } from 'react';
import { LoginForm } from '@/modules/shell/components/login-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('login'))('title') };
}

export default function LoginPage() {
  return (
    <main className="center-page">
      <Suspense>
        <LoginForm />
      </Suspense>
    </main>
  );
}
