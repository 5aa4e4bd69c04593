import { describe, expect, it } from 'vitest';
import { extractMentionedHandles as sut } from './mentions';

describe(sut.name, () => {
  it('finds distinct handles in order, lower-cased', () => {
    expect(sut('@linh please ask @VU and @linh again')).toEqual(['linh', 'vu']);
  });

  it('accepts punctuation around a mention', () => {
    expect(sut('(cc @linh), thanks @vu!')).toEqual(['linh', 'vu']);
  });

  it('ignores e-mail addresses, double @ and too-short handles', () => {
    expect(sut('write to alice@linh.test or @@vu or @a')).toEqual([]);
  });
});
