import type { Message } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import type { PendingMessage } from '../state/thread-store';
import { buildTimeline, seenBySeq } from './timeline';

const person = (id: string) => ({ id, name: id, handle: id, role: 'customer' as const });
const message = (seq: number, author: string, createdAt: string): Message => ({
  id: `m${seq}`,
  conversationId: 'th',
  seq,
  author: person(author),
  body: `body ${seq}`,
  mentions: [],
  createdAt,
});
const dayKey = (date: Date) => date.toISOString().slice(0, 10);

function shape(items: ReturnType<typeof buildTimeline>): string[] {
  return items.map((item) => {
    if (item.kind === 'day') return `day ${dayKey(item.date)}`;
    if (item.kind === 'unread') return 'unread';
    const id = item.kind === 'message' ? item.message.seq : item.entry.body;
    return `${id}${item.first ? ' first' : ''}${item.last ? ' last' : ''}`;
  });
}

describe(buildTimeline.name, () => {
  it('separates days, groups an author’s close messages, and marks the first unread', () => {
    const items = buildTimeline({
      messages: [
        message(1, 'alice', '2026-03-11T09:00:00Z'),
        message(2, 'alice', '2026-03-11T09:02:00Z'),
        message(3, 'alice', '2026-03-11T09:30:00Z'),
        message(4, 'linh', '2026-03-12T08:00:00Z'),
        message(5, 'linh', '2026-03-12T08:01:00Z'),
        message(6, 'linh', '2026-03-12T08:02:00Z'),
      ],
      pending: [],
      currentUserId: 'alice',
      firstUnreadSeq: 5,
      dayKey,
    });
    expect(shape(items)).toEqual([
      'day 2026-03-11',
      '1 first',
      '2 last',
      '3 first last',
      'day 2026-03-12',
      '4 first last',
      'unread',
      '5 first',
      '6 last',
    ]);
  });

  it('puts the divider after the day separator when the first unread opens a day', () => {
    const items = buildTimeline({
      messages: [
        message(1, 'alice', '2026-03-11T09:00:00Z'),
        message(2, 'linh', '2026-03-12T09:00:00Z'),
      ],
      pending: [],
      currentUserId: 'alice',
      firstUnreadSeq: 2,
      dayKey,
    });
    expect(shape(items)).toEqual([
      'day 2026-03-11',
      '1 first last',
      'day 2026-03-12',
      'unread',
      '2 first last',
    ]);
  });

  it('groups pending sends with our own last messages', () => {
    const pending: PendingMessage = {
      clientMessageId: 'c1',
      body: 'on its way',
      status: 'sending',
      createdAt: '2026-03-12T09:01:00Z',
    };
    const items = buildTimeline({
      messages: [message(1, 'alice', '2026-03-12T09:00:00Z')],
      pending: [pending],
      currentUserId: 'alice',
      firstUnreadSeq: null,
      dayKey,
    });
    expect(shape(items)).toEqual(['day 2026-03-12', '1 first', 'on its way last']);
  });
});

describe(seenBySeq.name, () => {
  it('puts each other participant under the last message they read', () => {
    const messages = [1, 2, 3].map((seq) => message(seq, 'alice', '2026-03-12T09:00:00Z'));
    expect(seenBySeq(messages, { alice: 3, linh: 2, vu: 0, grace: 99, tom: 2 }, 'alice')).toEqual(
      new Map([
        [2, ['linh', 'tom']],
        [3, ['grace']],
      ]),
    );
  });
});
