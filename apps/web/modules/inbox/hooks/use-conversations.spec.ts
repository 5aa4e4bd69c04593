import { describe, expect, it } from 'vitest';
import { matchesSearch, searchable } from './use-conversations';

const item = {
  id: 'th_1',
  bookingRef: 'BK-1001',
  title: 'Riverside Homestay, Hội An',
  lastMessage: {
    id: 'm',
    conversationId: 'th_1',
    seq: 1,
    author: { id: 'u', name: 'Trần Linh', handle: 'linh', role: 'staff' as const },
    body: 'Xe đón lúc 9 giờ',
    mentions: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
  unreadCount: 0,
};

describe(matchesSearch.name, () => {
  it('finds every word, without case or diacritics, in title, ref, author and message', () => {
    expect(matchesSearch(item, 'hoi an')).toBe(true);
    expect(matchesSearch(item, 'bk-1001')).toBe(true);
    expect(matchesSearch(item, 'tran  9 gio')).toBe(true);
    expect(matchesSearch(item, 'xe don')).toBe(true);
    expect(matchesSearch(item, 'hanoi')).toBe(false);
    expect(matchesSearch(item, '   ')).toBe(true);
  });
});

describe(searchable.name, () => {
  it('folds Vietnamese letters to their base', () => {
    expect(searchable('Đà Nẵng')).toBe('da nang');
  });
});
