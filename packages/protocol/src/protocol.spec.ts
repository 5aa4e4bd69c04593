import { describe, expect, it } from 'vitest';
import {
  CLIENT_EVENTS,
  clientFrameSchema,
  createNotificationBodySchema,
  loginBodySchema,
  postMessageBodySchema,
  serverFrameSchema,
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

describe('HTTP bodies', () => {
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
    for (const link of ['javascript:alert(1)', 'https://evil.test', '//evil.test/x']) {
      expect(createNotificationBodySchema.safeParse({ ...base, link }).success).toBe(false);
    }
  });
});
