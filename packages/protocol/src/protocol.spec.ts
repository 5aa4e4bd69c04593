import { describe, expect, it } from 'vitest';
import {
  CLIENT_EVENTS,
  clientFrameSchema,
  createNotificationBodySchema,
  idSchema,
  listNotificationsQuerySchema,
  loginBodySchema,
  postMessageBodySchema,
  sameSitePath,
  serverFrameSchema,
  upsertBookingBodySchema,
} from './index';

describe('clientFrameSchema', () => {
  it('accepts every client event of the contract', () => {
    expect(CLIENT_EVENTS.sort()).toEqual([
      'message.send',
      'ping',
      'read',
      'subscribe',
      'typing',
      'unsubscribe',
    ]);
    const frame = { event: 'subscribe', data: { conversationId: 'th_1', since: 4 }, ref: 'r1' };
    expect(clientFrameSchema.parse(frame)).toEqual(frame);
  });

  it('rejects unknown events and invalid data', () => {
    expect(clientFrameSchema.safeParse({ event: 'shutdown', data: {} }).success).toBe(false);
    expect(
      clientFrameSchema.safeParse({ event: 'read', data: { conversationId: 'c', seq: -1 } })
        .success,
    ).toBe(false);
    expect(
      clientFrameSchema.safeParse({
        event: 'message.send',
        data: { conversationId: 'c', body: ' ', clientMessageId: 'x' },
      }).success,
    ).toBe(false);
  });
});

describe('serverFrameSchema', () => {
  it('describes the ready frame', () => {
    const ready = {
      event: 'ready',
      data: {
        userId: 'u',
        connectionId: 'c',
        heartbeatMs: 25_000,
        unread: { notifications: 1, chat: 2 },
      },
    };
    expect(serverFrameSchema.parse(ready)).toEqual(ready);
  });
});

describe('read.receipt', () => {
  it('says how far a participant has read a conversation', () => {
    const receipt = {
      event: 'read.receipt',
      data: { conversationId: 'th_1', userId: 'u_linh', seq: 12 },
    };
    expect(serverFrameSchema.parse(receipt)).toEqual(receipt);
    expect(
      serverFrameSchema.safeParse({ ...receipt, data: { ...receipt.data, seq: -1 } }).success,
    ).toBe(false);
  });
});

describe('HTTP bodies', () => {
  it('takes optional booking details, with dates in order', () => {
    const booking = { ref: 'BK-1', country: 'VN', creatorId: 'u1', managerId: null };
    expect(upsertBookingBodySchema.parse(booking)).toEqual(booking);
    const details = {
      name: 'Riverside Homestay',
      startDate: '2026-03-12',
      endDate: '2026-03-15',
      guests: 2,
      status: 'confirmed',
    };
    expect(upsertBookingBodySchema.parse({ ...booking, details }).details).toEqual(details);
    for (const wrong of [
      { startDate: '2026-03-15', endDate: '2026-03-12' },
      { startDate: '12/03/2026' },
      { guests: 0 },
      { status: 'lost' },
    ]) {
      expect(upsertBookingBodySchema.safeParse({ ...booking, details: wrong }).success).toBe(false);
    }
  });

  it('filters notifications to the unread ones on ?unread=true', () => {
    expect(listNotificationsQuerySchema.parse({ unread: 'true' })).toEqual({
      unread: true,
      limit: 20,
    });
    expect(listNotificationsQuerySchema.parse({}).unread).toBe(false);
    expect(listNotificationsQuerySchema.safeParse({ unread: 'maybe' }).success).toBe(false);
  });

  it('normalises the login email', () => {
    expect(loginBodySchema.parse({ email: ' Alice@Demo.TEST ', password: 'x' }).email).toBe(
      'alice@demo.test',
    );
  });

  it('bounds message bodies to 1..4000 characters, not blank', () => {
    expect(
      postMessageBodySchema.safeParse({ body: 'x'.repeat(4000), clientMessageId: 'a' }).success,
    ).toBe(true);
    expect(
      postMessageBodySchema.safeParse({ body: 'x'.repeat(4001), clientMessageId: 'a' }).success,
    ).toBe(false);
    expect(postMessageBodySchema.safeParse({ body: '\n \t', clientMessageId: 'a' }).success).toBe(
      false,
    );
  });

  it('only takes same-site paths as notification links', () => {
    const base = { userId: 'u', type: 't', title: 'T' };
    expect(createNotificationBodySchema.safeParse({ ...base, link: '/threads/1' }).success).toBe(
      true,
    );
    for (const link of [...OTHER_SITES, 'javascript:alert(1)']) {
      expect(createNotificationBodySchema.safeParse({ ...base, link }).success, link).toBe(false);
    }
  });

  it('keeps ids to letters, digits, "_" and "-", as they go into Redis keys and paths', () => {
    for (const id of [
      'u_alice',
      'th_bk-1001',
      'a'.repeat(128),
      '3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b',
    ]) {
      expect(idSchema.safeParse(id).success, id).toBe(true);
    }
    for (const id of ['', 'a'.repeat(129), 'a:b', 'a*', 'a b', 'a/b', 'a{b}', 'é', '__proto__\n']) {
      expect(idSchema.safeParse(id).success, id).toBe(false);
    }
  });
});

/** Links a browser would follow to another site, each written as it would reach the check. */
const OTHER_SITES = [
  'https://evil.example',
  '//evil.example/x',
  '/\\evil.example',
  '/\t/evil.example', // `/login?next=/%09/evil.example`, once the query is decoded
  '/\n/evil.example',
  '/\r\n/evil.example',
  '/.//evil.example',
  '/a/..//evil.example',
  '/./\\evil.example',
  '\\\\evil.example',
  ' /evil',
  'evil.example',
  '',
];

describe(sameSitePath.name, () => {
  it('refuses every path a browser would take to another site', () => {
    for (const value of OTHER_SITES) expect(sameSitePath(value), JSON.stringify(value)).toBeNull();
  });

  it('keeps paths on this site, normalised as a browser reads them', () => {
    expect(sameSitePath('/')).toBe('/');
    expect(sameSitePath('/threads/th_bk_1001?scope=all#latest')).toBe(
      '/threads/th_bk_1001?scope=all#latest',
    );
    expect(sameSitePath('/threads/../threads/th_1')).toBe('/threads/th_1');
    // Still encoded, a tab or a slash is only part of a path on this site.
    expect(sameSitePath('/%09/evil.example')).toBe('/%09/evil.example');
    expect(sameSitePath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });
});
