import { describe, expect, it } from 'vitest';
import { foldForSearch, searchTokens } from './search-text';

describe('search text', () => {
  it('ignores case and Latin accents, Vietnamese đ included', () => {
    expect(foldForSearch('Nguyễn Thị Đào')).toBe('nguyen thi dao');
    expect(foldForSearch('CAFÉ')).toBe('cafe');
  });

  it('keeps Thai words whole, marks and all', () => {
    expect(searchTokens('สมชาย ใจดี')).toEqual(['สมชาย', 'ใจดี']);
  });

  it('splits booking refs and handles into words', () => {
    expect(searchTokens('Booking BK-1001', '@linh_vn')).toEqual([
      'booking',
      'bk',
      '1001',
      'linh',
      'vn',
    ]);
  });
});
