import { describe, expect, it } from 'vitest';
import { parseFlag, validateBuildEnvironment } from './build-flags';
import { resolveWebSocketUrl } from './realtime/connection';
import { BASE_POLL_MS, jitteredDelay, POLL_JITTER_MS } from './live-sync';

describe(parseFlag.name, () => {
  it('takes true/false/1/0/yes/no, empty means the default, anything else is an error', () => {
    expect(parseFlag('F', 'false', true)).toBe(false);
    expect(parseFlag('F', ' YES ', false)).toBe(true);
    expect(parseFlag('F', '', true)).toBe(true);
    expect(parseFlag('F', undefined, false)).toBe(false);
    expect(() => parseFlag('F', 'flase', true)).toThrow(/F: expected/);
  });

  it('lists every problem of the build environment at once', () => {
    expect(() =>
      validateBuildEnvironment({
        NEXT_PUBLIC_THREADS_ENABLED: 'on',
        NEXT_PUBLIC_THREAD_HEADER_INFO_ENABLED: 'off',
        NEXT_PUBLIC_WS_URL: 'http://x',
      }),
    ).toThrow(/THREADS_ENABLED[\s\S]*HEADER_INFO_ENABLED[\s\S]*WS_URL/);
  });
});

describe(resolveWebSocketUrl.name, () => {
  it('is same-origin /api/ws/chat unless configured', () => {
    expect(
      resolveWebSocketUrl('', { protocol: 'https:', host: 'chat.example.com' }, '/api/ws/chat'),
    ).toBe('wss://chat.example.com/api/ws/chat');
    expect(
      resolveWebSocketUrl('', { protocol: 'http:', host: 'localhost:3100' }, '/api/ws/chat'),
    ).toBe('ws://localhost:3100/api/ws/chat');
    expect(
      resolveWebSocketUrl(
        'ws://localhost:3002/ws/chat',
        { protocol: 'http:', host: 'x' },
        '/api/ws/chat',
      ),
    ).toBe('ws://localhost:3002/ws/chat');
  });
});

describe('the safety-net poll', () => {
  it('is 5 minutes ± 1 minute', () => {
    expect(BASE_POLL_MS).toBe(300_000);
    expect(POLL_JITTER_MS).toBe(60_000);
    expect(jitteredDelay(BASE_POLL_MS, POLL_JITTER_MS, () => 0)).toBe(240_000);
    expect(jitteredDelay(BASE_POLL_MS, POLL_JITTER_MS, () => 0.5)).toBe(300_000);
    expect(jitteredDelay(BASE_POLL_MS, POLL_JITTER_MS, () => 0.999_999)).toBeLessThanOrEqual(
      360_000,
    );
  });
});
