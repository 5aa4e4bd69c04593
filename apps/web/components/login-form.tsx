'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { isApiError } from '@/lib/api-client';
import { authApi } from '@/lib/api';
import { safeNextPath } from '@/lib/safe-path';
import { useSessionState } from '@/lib/session';

export function LoginForm() {
  const router = useRouter();
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
          ? 'Wrong email or password.'
          : `Login failed: ${caught instanceof Error ? caught.message : String(caught)}`,
      );
      setBusy(false);
    }
  };

  return (
    <form
      className="login card"
      onSubmit={(event) => void onSubmit(event)}
      aria-labelledby="login-title"
    >
      <h1 id="login-title">Log in</h1>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={busy}>
        {busy ? 'Logging in…' : 'Log in'}
      </button>
      <p className="muted small">Demo users: alice@demo.test, linh@demo.test … password demo1234</p>
    </form>
  );
}
