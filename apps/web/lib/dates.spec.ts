import { describe, expect, it } from 'vitest';
import { formatDateRange, formatDay, formatShort, localDayKey } from './dates';

const at = (text: string) => new Date(text);

describe(formatDay.name, () => {
  const now = at('2026-03-12T15:00:00');
  it('says today and yesterday in the reader’s language', () => {
    expect(formatDay(at('2026-03-12T08:00:00'), now, 'en')).toBe('Today');
    expect(formatDay(at('2026-03-11T23:59:00'), now, 'en')).toBe('Yesterday');
    expect(formatDay(at('2026-03-12T08:00:00'), now, 'vi')).toBe('Hôm nay');
    expect(formatDay(at('2026-03-11T08:00:00'), now, 'th')).toBe('เมื่อวาน');
  });

  it('names the weekday within a week, else the date', () => {
    expect(formatDay(at('2026-03-09T08:00:00'), now, 'en')).toBe('Monday');
    expect(formatDay(at('2026-02-01T08:00:00'), now, 'en')).toBe('Sun, February 1');
    expect(formatDay(at('2025-02-01T08:00:00'), now, 'en')).toMatch(/2025/);
  });
});

describe(formatShort.name, () => {
  it('is a time today and a date further back', () => {
    const now = at('2026-03-12T15:00:00');
    expect(formatShort(at('2026-03-12T09:05:00'), now, 'en')).toMatch(/9:05/);
    expect(formatShort(at('2026-03-11T09:05:00'), now, 'en')).toBe('Yesterday');
    expect(formatShort(at('2026-01-02T09:05:00'), now, 'en')).toBe('Jan 2');
  });
});

describe(formatDateRange.name, () => {
  it('writes a stay as one range, whatever the reader’s time zone', () => {
    expect(formatDateRange('2026-03-12', '2026-03-15', 'en')).toMatch(/^Mar 12\s–\s15, 2026$/);
    expect(formatDateRange('2026-03-12', undefined, 'en')).toBe('Mar 12, 2026');
    expect(formatDateRange(undefined, undefined, 'en')).toBeNull();
  });
});

describe(localDayKey.name, () => {
  it('is the local calendar day', () => {
    expect(localDayKey(at('2026-03-12T23:59:00'))).toBe('2026-03-12');
  });
});
