import type { Message } from '@chat/protocol';
import { localDayKey } from '@/lib/dates';
import type { PendingMessage } from '../state/thread-store';

/** Messages of one author this close together are one group: one avatar, one name. */
export const GROUP_WINDOW_MS = 5 * 60_000;

export type TimelineItem =
  | { kind: 'day'; key: string; date: Date }
  | { kind: 'unread'; key: 'unread' }
  | {
      kind: 'message';
      key: string;
      message: Message;
      mine: boolean;
      /** Starts a group: shows the author. */
      first: boolean;
      /** Ends a group: shows the time. */
      last: boolean;
    }
  | { kind: 'pending'; key: string; entry: PendingMessage; first: boolean; last: boolean };

/**
 * The thread as it is drawn: a separator at each new day (in the reader's time zone), the
 * "New messages" divider before the first unread message, and consecutive messages of one
 * author grouped. Pending sends follow the confirmed messages, as ours.
 */
export function buildTimeline(input: {
  messages: readonly Message[];
  pending: readonly PendingMessage[];
  currentUserId: string;
  firstUnreadSeq: number | null;
  dayKey?: (date: Date) => string;
}): TimelineItem[] {
  const dayKey = input.dayKey ?? localDayKey;
  const items: TimelineItem[] = [];
  let previous = null as { authorId: string; at: number; day: string } | null;

  const place = (authorId: string, date: Date, breakBefore: boolean) => {
    const day = dayKey(date);
    if (previous?.day !== day) items.push({ kind: 'day', key: `day-${day}`, date });
    const joins =
      !breakBefore &&
      previous !== null &&
      previous.day === day &&
      previous.authorId === authorId &&
      date.getTime() - previous.at < GROUP_WINDOW_MS;
    if (!joins) {
      // The previous message ended its group.
      const before = items.findLast((item) => item.kind === 'message' || item.kind === 'pending');
      if (before && (before.kind === 'message' || before.kind === 'pending')) before.last = true;
    }
    previous = { authorId, at: date.getTime(), day };
    return !joins;
  };

  for (const message of input.messages) {
    const unreadStarts = message.seq === input.firstUnreadSeq;
    const date = new Date(message.createdAt);
    if (unreadStarts) {
      // The divider goes after the day separator of its message, when that starts a day.
      const day = dayKey(date);
      if (previous?.day !== day) {
        items.push({ kind: 'day', key: `day-${day}`, date });
        previous = { authorId: '', at: 0, day };
      }
      items.push({ kind: 'unread', key: 'unread' });
    }
    const first = place(message.author.id, date, unreadStarts);
    items.push({
      kind: 'message',
      key: `m-${message.seq}`,
      message,
      mine: message.author.id === input.currentUserId,
      first,
      last: false,
    });
  }
  for (const entry of input.pending) {
    const first = place(input.currentUserId, new Date(entry.createdAt), false);
    items.push({ kind: 'pending', key: `p-${entry.clientMessageId}`, entry, first, last: false });
  }
  const end = items.findLast((item) => item.kind === 'message' || item.kind === 'pending');
  if (end && (end.kind === 'message' || end.kind === 'pending')) end.last = true;
  return items;
}

/**
 * Under which message each other participant's "Seen" goes: the last message they have read,
 * as seq → names, for the participants whose marker reaches one of ours or someone else's.
 */
export function seenBySeq(
  messages: readonly Message[],
  readMarkers: Readonly<Record<string, number>>,
  currentUserId: string,
): Map<number, string[]> {
  const seen = new Map<number, string[]>();
  const lastSeq = messages.at(-1)?.seq ?? 0;
  for (const [userId, marker] of Object.entries(readMarkers)) {
    if (userId === currentUserId || marker <= 0) continue;
    // The last loaded message at or below their marker.
    const at = messages.findLast((message) => message.seq <= Math.min(marker, lastSeq));
    if (!at) continue;
    seen.set(at.seq, [...(seen.get(at.seq) ?? []), userId]);
  }
  return seen;
}
