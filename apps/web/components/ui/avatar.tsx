import type { ReactNode } from 'react';
import styles from './avatar.module.css';
import { CalendarIcon } from './icons';

// Dark enough for white initials at AA contrast, in both themes.
const COLOURS = [
  '#1565c0',
  '#2e7d32',
  '#6a1b9a',
  '#ad1457',
  '#b71c1c',
  '#00695c',
  '#4527a0',
  '#bf360c',
  '#37474f',
  '#5d4037',
];

function colourOf(id: string): string {
  let hash = 0;
  for (const character of id) hash = (hash * 31 + character.codePointAt(0)!) >>> 0;
  return COLOURS[hash % COLOURS.length]!;
}

/**
 * A conversation's picture: the initials of its name, or a booking icon while its title is only
 * the booking's ref ("Booking BK-1001", whose initials say nothing).
 */
export function ConversationAvatar({
  id,
  title,
  bookingRef,
  size,
}: {
  id: string;
  title: string;
  bookingRef: string;
  size?: number;
}) {
  const named = !title.includes(bookingRef);
  return (
    <Avatar
      id={id}
      name={title}
      size={size}
      icon={named ? undefined : <CalendarIcon size={Math.round((size ?? 36) * 0.5)} />}
    />
  );
}

/** Up to two letters: the first of the first and of the last word, whatever the script. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] ?? '?')][0] ?? '?';
  const last = words.length > 1 ? ([...words.at(-1)!][0] ?? '') : '';
  return `${first}${last}`.toLocaleUpperCase();
}

/**
 * A person's initials on their own colour; with `online`, a presence dot. Decorative: the name
 * is always written next to it, and the dot's state is said by the caller's text.
 */
export function Avatar({
  id,
  name,
  size = 36,
  online,
  icon,
}: {
  id: string;
  name: string;
  size?: number;
  online?: boolean;
  /** Drawn instead of the initials (a booking without a name of its own). */
  icon?: ReactNode;
}) {
  return (
    <span
      className={styles.avatar}
      style={{ width: size, height: size, fontSize: size * 0.4, background: colourOf(id) }}
      aria-hidden="true"
    >
      {icon ?? initialsOf(name)}
      {online !== undefined && (
        <span className={online ? `${styles.dot} ${styles.online}` : styles.dot} />
      )}
    </span>
  );
}
