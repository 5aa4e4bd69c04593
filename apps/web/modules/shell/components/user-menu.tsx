'use client';

import { useRouter } from 'next/navigation';
import { useLocale, useTranslations } from 'next-intl';
import { useCallback, useId, useRef, useState, useTransition } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { ChevronDownIcon } from '@/components/ui/icons';
import { usePopover } from '@/components/ui/use-popover';
import { isLocale, LOCALE_NAMES, LOCALES } from '@/i18n/locales';
import {
  chooseLocale,
  chooseTheme,
  currentTheme,
  THEMES,
  type ThemeChoice,
} from '@/lib/preferences';
import { useSession } from '@/lib/session';
import styles from './user-menu.module.css';

/** Who is signed in, their language and theme, and logging out. */
export function UserMenu() {
  const { user, logout } = useSession();
  const t = useTranslations('user');
  const locale = useLocale();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [theme, setTheme] = useState<ThemeChoice>('system');
  const [switching, startSwitch] = useTransition();
  const panelId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  usePopover(open, panel, button, close);

  return (
    <div className={styles.menu}>
      <button
        ref={button}
        type="button"
        className={styles.trigger}
        aria-expanded={open}
        aria-controls={panelId}
        data-testid="user-menu-button"
        onClick={() => {
          setTheme(currentTheme());
          setOpen((value) => !value);
        }}
      >
        <Avatar id={user.id} name={user.name} size={32} />
        <span className={styles.name} data-testid="current-user">
          {user.name}
        </span>
        <span className="sr-only">{t('menuSuffix')}</span>
        <ChevronDownIcon size={16} className={styles.chevron} />
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          className={styles.panel}
          role="dialog"
          aria-label={t('menuTitle')}
          data-testid="user-menu"
        >
          <div className={styles.who}>
            <Avatar id={user.id} name={user.name} size={40} />
            <div>
              <strong>{user.name}</strong>
              <div className="muted">{user.email}</div>
            </div>
          </div>
          <label className={styles.field}>
            <span>{t('language')}</span>
            <select
              value={locale}
              disabled={switching}
              data-testid="language-select"
              onChange={(event) => {
                const next = event.target.value;
                if (!isLocale(next)) return;
                chooseLocale(next);
                // The server renders the new language; the socket and stores stay.
                startSwitch(() => router.refresh());
              }}
            >
              {LOCALES.map((option) => (
                <option key={option} value={option} lang={option}>
                  {LOCALE_NAMES[option]}
                </option>
              ))}
            </select>
          </label>
          <fieldset className={styles.field}>
            <legend>{t('theme')}</legend>
            <div className="segmented" role="group">
              {THEMES.map((option) => (
                <button
                  key={option}
                  type="button"
                  aria-pressed={theme === option}
                  data-testid={`theme-${option}`}
                  onClick={() => {
                    chooseTheme(option);
                    setTheme(option);
                  }}
                >
                  {t(`themes.${option}`)}
                </button>
              ))}
            </div>
          </fieldset>
          <button type="button" className="button" onClick={() => void logout()}>
            {t('logout')}
          </button>
        </div>
      )}
    </div>
  );
}
