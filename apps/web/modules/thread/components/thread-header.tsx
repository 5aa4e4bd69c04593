'use client';

import type {
  BookingStatus,
  ConversationHeaderResponse,
  ConversationResponse,
  UserSummary,
} from '@chat/protocol';
import Link from 'next/link';
import { useLocale, useTranslations } from 'next-intl';
import { Avatar, ConversationAvatar } from '@/components/ui/avatar';
import { BackIcon, CalendarIcon, GuestsIcon, PeopleIcon } from '@/components/ui/icons';
import { formatDateRange } from '@/lib/dates';
import { PresenceDot } from './presence-dot';
import styles from './thread-header.module.css';

const STATUS_TONE: Record<BookingStatus, string> = {
  pending: styles.toneWarning!,
  confirmed: styles.toneGood!,
  checked_in: styles.toneGood!,
  completed: styles.toneNeutral!,
  cancelled: styles.toneBad!,
};

/** The booking in one line: its ref, dates, guests and status, whatever the platform gave. */
function BookingFacts({
  booking,
  title,
}: {
  booking: ConversationResponse['booking'];
  title: string;
}) {
  const t = useTranslations('booking');
  const locale = useLocale();
  const details = booking.details;
  const dates = formatDateRange(details?.startDate, details?.endDate, locale);
  const showRef = !title.includes(booking.ref);
  if (!showRef && !dates && details?.guests === undefined && !details?.status) return null;
  return (
    <ul className={styles.facts} data-testid="booking-facts">
      {showRef && <li className={styles.ref}>{booking.ref}</li>}
      {dates && (
        <li>
          <CalendarIcon size={14} />
          <span className="sr-only">{t('dates')}: </span>
          {dates}
        </li>
      )}
      {details?.guests !== undefined && (
        <li>
          <GuestsIcon size={14} />
          {t('guests', { count: details.guests })}
        </li>
      )}
      {details?.status && (
        <li className={`${styles.status} ${STATUS_TONE[details.status]}`}>
          <span className="sr-only">{t('statusLabel')}: </span>
          {t(`status.${details.status}`)}
        </li>
      )}
    </ul>
  );
}

/** The top of a thread: back to the inbox, what the booking is, who is in it and online. */
export function ThreadHeader({
  conversation,
  presence,
  currentUserId,
  peopleOpen,
  onTogglePeople,
  peopleId,
}: {
  conversation: ConversationResponse;
  presence: Record<string, boolean>;
  currentUserId: string;
  /** null: there is no people panel (the header info is turned off). */
  peopleOpen: boolean | null;
  onTogglePeople(): void;
  peopleId: string;
}) {
  const t = useTranslations('thread');
  const others = conversation.participants.filter((person) => person.id !== currentUserId);
  return (
    <header className={styles.header}>
      <Link href="/threads" className={`icon-button ${styles.back}`} data-testid="thread-back">
        <BackIcon />
        <span className="sr-only">{t('back')}</span>
      </Link>
      <ConversationAvatar
        id={conversation.id}
        title={conversation.title}
        bookingRef={conversation.booking.ref}
        size={40}
      />
      <div className={styles.titles}>
        <h1 id="thread-title" className={styles.title}>
          {conversation.title}
        </h1>
        <BookingFacts booking={conversation.booking} title={conversation.title} />
      </div>
      <ul className={styles.avatars} aria-label={t('participants')}>
        {others.slice(0, 4).map((person) => (
          <li key={person.id} title={person.name}>
            <Avatar
              id={person.id}
              name={person.name}
              size={30}
              online={presence[person.id] ?? false}
            />
            <PresenceDot online={presence[person.id] ?? false} name={person.name} />
          </li>
        ))}
      </ul>
      {peopleOpen !== null && (
        <button
          type="button"
          className="icon-button"
          aria-expanded={peopleOpen}
          aria-controls={peopleId}
          data-testid="people-toggle"
          onClick={onTogglePeople}
        >
          <PeopleIcon />
          <span className="sr-only">{t('people')}</span>
        </button>
      )}
    </header>
  );
}

function Person({ person, online, you }: { person: UserSummary; online: boolean; you: boolean }) {
  const t = useTranslations('thread');
  return (
    <span className={styles.person}>
      <Avatar id={person.id} name={person.name} size={28} online={online} />
      <PresenceDot online={online} name={person.name} />
      <span className={styles.personName}>
        {person.name}
        {you && <span className="muted"> ({t('you')})</span>}
      </span>
      <span className="muted">@{person.handle}</span>
    </span>
  );
}

/** Who is on this booking: creator, manager and every participant, with presence. */
export function PeoplePanel({
  id,
  header,
  presence,
  currentUserId,
}: {
  id: string;
  header: ConversationHeaderResponse;
  presence: Record<string, boolean>;
  currentUserId: string;
}) {
  const t = useTranslations('thread');
  const person = (user: UserSummary) => (
    <Person person={user} online={presence[user.id] ?? false} you={user.id === currentUserId} />
  );
  return (
    <aside id={id} className={styles.people} aria-label={t('people')} data-testid="thread-header">
      <dl>
        <div>
          <dt>{t('roles.creator')}</dt>
          <dd>{person(header.creator)}</dd>
        </div>
        <div>
          <dt>{t('roles.manager')}</dt>
          <dd>
            {header.manager ? (
              person(header.manager)
            ) : (
              <span className="muted">{t('noManager')}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('roles.participants')}</dt>
          <dd>
            <ul>
              {header.participants.map((participant) => (
                <li key={participant.id}>{person(participant)}</li>
              ))}
            </ul>
          </dd>
        </div>
      </dl>
    </aside>
  );
}
