import { describe, expect, it } from 'vitest';
import { richText, safeHref } from './rich-text';

describe(richText.name, () => {
  it('makes http(s) links of addresses, without the punctuation after them', () => {
    expect(richText('See https://example.com/a?b=1, or www.example.org/x.')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'www.example.org/x', href: 'https://www.example.org/x' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keeps a closing parenthesis that belongs to the address', () => {
    expect(richText('(https://en.wikipedia.org/wiki/Hue_(city))')[1]).toEqual({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/Hue_(city)',
      href: 'https://en.wikipedia.org/wiki/Hue_(city)',
    });
  });

  it('never links another scheme and leaves markup as text', () => {
    const parts = richText('javascript:alert(1) <a href="https://x.test">x</a> data:text/html,hi');
    expect(parts.filter((part) => part.kind === 'link')).toEqual([
      { kind: 'link', text: 'https://x.test', href: 'https://x.test/' },
    ]);
    expect(parts.map((part) => part.text).join('')).toBe(
      'javascript:alert(1) <a href="https://x.test">x</a> data:text/html,hi',
    );
  });

  it('marks mentions in the text around links', () => {
    expect(richText('@linh look: https://a.test @alice').map((part) => part.kind)).toEqual([
      'mention',
      'text',
      'link',
      'text',
      'mention',
    ]);
  });
});

describe(safeHref.name, () => {
  it('only lets http and https through', () => {
    expect(safeHref('https://a.test/x')).toBe('https://a.test/x');
    expect(safeHref('www.a.test')).toBe('https://www.a.test/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('http://')).toBeNull();
  });
});
