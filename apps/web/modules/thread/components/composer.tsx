'use client';

import { MESSAGE_BODY_MAX, type UserSummary } from '@chat/protocol';
import { useLocale, useTranslations } from 'next-intl';
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { SendIcon } from '@/components/ui/icons';
import { mentionQueryAt } from '../lib/mentions';
import type { ThreadStore } from '../state/thread-store';
import styles from './composer.module.css';

/** Shown from this many characters on, so a long message never reaches the limit unannounced. */
const COUNTER_FROM = MESSAGE_BODY_MAX - 500;
/** The box grows with its text up to this many lines, then scrolls. */
const MAX_ROWS = 6;

function draftKey(userId: string, conversationId: string): string {
  return `chat.draft.${userId}.${conversationId}`;
}

/** The unsent text of a thread, kept in this browser across reloads. */
function useDraft(key: string): [string, (text: string) => void] {
  const [text, setText] = useState('');
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- read once the page is in the browser
    setText(window.localStorage.getItem(key) ?? '');
  }, [key]);
  const update = (next: string) => {
    setText(next);
    try {
      if (next) window.localStorage.setItem(key, next);
      else window.localStorage.removeItem(key);
    } catch {
      // storage full or refused: the draft lives as long as the page
    }
  };
  return [text, update];
}

/** The message box: Enter sends, Shift+Enter breaks the line, `@` completes a handle. */
export function Composer({
  store,
  candidates,
  userId,
  conversationId,
}: {
  store: ThreadStore;
  candidates: UserSummary[];
  userId: string;
  conversationId: string;
}) {
  const t = useTranslations('composer');
  const locale = useLocale();
  const [text, setText] = useDraft(draftKey(userId, conversationId));
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();
  const listId = useId();
  const limitId = useId();

  useLayoutEffect(() => {
    const element = textarea.current;
    if (!element) return;
    element.style.height = 'auto';
    const line = parseFloat(getComputedStyle(element).lineHeight) || 22;
    element.style.height = `${Math.min(element.scrollHeight, line * MAX_ROWS + 20)}px`;
  }, [text]);

  const query = dismissed ? null : mentionQueryAt(text, caret);
  const matches = query
    ? candidates
        .filter(
          (person) =>
            person.handle.startsWith(query.query) ||
            person.name.toLowerCase().startsWith(query.query),
        )
        .slice(0, 6)
    : [];
  // A handle typed out in full needs no completion: Enter sends.
  const complete = query !== null && matches.some((person) => person.handle === query.query);
  const open = matches.length > 0 && !complete;
  const activeIndex = Math.min(active, Math.max(0, matches.length - 1));
  const tooLong = text.length > MESSAGE_BODY_MAX;
  const number = new Intl.NumberFormat(locale);

  const choose = (person: UserSummary) => {
    if (!query) return;
    const before = text.slice(0, query.start);
    const after = text.slice(caret);
    const inserted = `@${person.handle} `;
    const next = `${before}${inserted}${after}`;
    const position = before.length + inserted.length;
    setText(next);
    setCaret(position);
    setActive(0);
    requestAnimationFrame(() => {
      textarea.current?.focus();
      textarea.current?.setSelectionRange(position, position);
    });
  };

  const submit = () => {
    const body = text.trim();
    if (!body || tooLong) return;
    setText('');
    setCaret(0);
    store.send(body);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((activeIndex + step + matches.length) % matches.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        choose(matches[activeIndex]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissed(true);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form
      className={styles.composer}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label htmlFor={inputId} className="sr-only">
        {t('label')}
      </label>
      <div className={styles.field}>
        <textarea
          id={inputId}
          ref={textarea}
          data-testid="composer-input"
          rows={1}
          placeholder={t('placeholder')}
          value={text}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open ? `${listId}-${activeIndex}` : undefined}
          aria-invalid={tooLong}
          aria-describedby={text.length >= COUNTER_FROM ? limitId : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart);
            setDismissed(false);
            setActive(0);
            if (event.target.value.trim()) store.typing();
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
        />
        <ul
          id={listId}
          role="listbox"
          aria-label={t('mentionList')}
          className={styles.mentions}
          hidden={!open}
        >
          {matches.map((person, index) => (
            <li
              key={person.id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === activeIndex}
              data-testid="mention-option"
              onMouseDown={(event) => {
                event.preventDefault();
                choose(person);
              }}
            >
              <Avatar id={person.id} name={person.name} size={26} />
              <strong>@{person.handle}</strong> <span className="muted">{person.name}</span>
            </li>
          ))}
        </ul>
        {text.length >= COUNTER_FROM && (
          <p
            id={limitId}
            className={tooLong ? `${styles.limit} ${styles.over}` : styles.limit}
            data-testid="composer-limit"
            role={tooLong ? 'alert' : undefined}
          >
            {tooLong
              ? t('tooLong', {
                  over: number.format(text.length - MESSAGE_BODY_MAX),
                  max: number.format(MESSAGE_BODY_MAX),
                })
              : t('count', {
                  count: number.format(text.length),
                  max: number.format(MESSAGE_BODY_MAX),
                })}
          </p>
        )}
      </div>
      <button
        type="submit"
        className={styles.send}
        data-testid="composer-send"
        aria-label={t('send')}
        disabled={!text.trim() || tooLong}
      >
        <SendIcon size={20} />
      </button>
    </form>
  );
}
