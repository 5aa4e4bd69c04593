'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { InboxIcon } from '@/components/ui/icons';
import { isApiError } from '@/lib/api-client';
import { authApi } from '@/lib/api';
import { safeNextPath } from '@/lib/safe-path';
import { useSessionState } from '@/lib/session';
import styles from './login-form.module.css';

export function LoginForm() {
  const router = useRouter();
  const t = useTranslations();
  const { signedIn } = useSessionState();
  const searchParams = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const user = await authApi.login(String(form.get('email')), String(form.get('password')));
      signedIn(user);
      router.replace(safeNextPath(searchParams.get('next')));
    } catch (caught) {
      setError(
        isApiError(caught, 401)
          ? t('login.wrong')
          : isApiError(caught, 429)
            ? t('login.tooMany')
            : t('login.failed', {
                reason: caught instanceof Error ? caught.message : String(caught),
              }),
      );
      setBusy(false);
    }
  };

  return (
    <form
      className={styles.card}
      onSubmit={(event) => void onSubmit(event)}
      aria-labelledby="login-title"
    >
      <span className={styles.logo} aria-hidden="true">
        <InboxIcon size={26} />
      </span>
      <h1 id="login-title">{t('login.title')}</h1>
      <p className="muted">{t('login.intro')}</p>
      <label className={styles.field}>
        <span>{t('login.email')}</span>
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label className={styles.field}>
        <span>{t('login.password')}</span>
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? t('login.submitting') : t('login.submit')}
      </button>
      <p className={`muted ${styles.demo}`}>{t('login.demo')}</p>
    </form>
  );
}
