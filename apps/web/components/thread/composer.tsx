'use client';

import { MESSAGE_BODY_MAX, type UserSummary } from '@chat/protocol';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { mentionQueryAt } from '@/lib/format';
import type { ThreadStore } from '@/lib/stores/thread-store';

/** The message box: Enter sends, Shift+Enter breaks the line, `@` completes a handle. */
/** Shown from this many characters on, so a long message never reaches the limit unannounced. */
const COUNTER_FROM = MESSAGE_BODY_MAX - 500;

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
  const [text, setText] = useDraft(draftKey(userId, conversationId));
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();
  const listId = useId();
  const limitId = useId();

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
  const tooLong = text.length > MESSAGE_BODY_MAX;
  const activeIndex = Math.min(active, Math.max(0, matches.length - 1));

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
    void store.send(body);
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
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label htmlFor={inputId} className="sr-only">
        Message
      </label>
      <div className="composer-field">
        <textarea
          id={inputId}
          ref={textarea}
          data-testid="composer-input"
          rows={2}
          aria-invalid={tooLong}
          aria-describedby={text.length >= COUNTER_FROM ? limitId : undefined}
          placeholder="Write a message. @ to mention someone."
          value={text}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open ? `${listId}-${activeIndex}` : undefined}
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
          aria-label="Mention someone"
          className="mention-list"
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
              <strong>@{person.handle}</strong> <span className="muted">{person.name}</span>
            </li>
          ))}
        </ul>
      </div>
      {text.length >= COUNTER_FROM && (
        <p
          id={limitId}
          className={tooLong ? 'composer-limit over' : 'composer-limit'}
          data-testid="composer-limit"
          role={tooLong ? 'alert' : undefined}
        >
          {tooLong
            ? `${text.length - MESSAGE_BODY_MAX} characters over the limit of ${MESSAGE_BODY_MAX}`
            : `${text.length} / ${MESSAGE_BODY_MAX}`}
        </p>
      )}
      <button
        type="submit"
        className="button-primary"
        data-testid="composer-send"
        disabled={!text.trim() || tooLong}
      >
        Send
      </button>
    </form>
  );
}
