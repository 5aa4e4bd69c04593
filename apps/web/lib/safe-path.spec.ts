import { createNotificationBodySchema } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-path';

describe(safeNextPath.name, () => {
  it('sends every way off the site home, the tab trick of /login?next=/%09/evil.example included', () => {
    const next = new URLSearchParams('next=/%09/evil.example').get('next');
    for (const value of [
      next,
      '/\\evil.example',
      '//evil.example',
      '/.//evil.example',
      'https://evil.example',
      '',
      null,
      undefined,
    ]) {
      expect(safeNextPath(value), JSON.stringify(value)).toBe('/');
    }
  });

  it('keeps paths on this site', () => {
    expect(safeNextPath('/threads/th_bk_1001?scope=all')).toBe('/threads/th_bk_1001?scope=all');
  });

  it('agrees with the API on notification links: refused there exactly when sent home here', () => {
    const links = [
      '/threads/th_1',
      '/\\evil.example',
      '/\t/evil.example',
      '//x',
      '/a/../b',
      '/.//x',
      '/?q=//x',
    ];
    for (const link of links) {
      const accepted = createNotificationBodySchema.safeParse({
        userId: 'u',
        type: 't',
        title: 'T',
        link,
      }).success;
      expect(safeNextPath(link) !== '/' || link === '/', link).toBe(accepted);
    }
  });
});
