import { describe, expect, it } from 'vitest';
import { mentionQueryAt, splitMentions } from './mentions';

describe(splitMentions.name, () => {
  it('marks @handles and keeps everything else as text', () => {
    expect(splitMentions('hi @linh, see <b>x</b> mail@x.io')).toEqual([
      { text: 'hi ', mention: false },
      { text: '@linh', mention: true },
      { text: ', see <b>x</b> mail@x.io', mention: false },
    ]);
  });
});

describe(mentionQueryAt.name, () => {
  it('finds the handle being typed before the caret', () => {
    expect(mentionQueryAt('hello @li', 9)).toEqual({ start: 6, query: 'li' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('mail@li', 7)).toBeNull();
    expect(mentionQueryAt('hello @linh ', 12)).toBeNull();
  });
});
