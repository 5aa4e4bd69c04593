import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, webSocketOrigins } from './security-headers';

describe(contentSecurityPolicy.name, () => {
  it('lets scripts run only with the nonce, and lets no site frame a page', () => {
    const sut = contentSecurityPolicy({ nonce: 'abc', development: false, webSocketOrigins: [] });
    expect(sut).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(sut).toContain("style-src 'self' 'nonce-abc'");
    expect(sut).toContain("object-src 'none'");
    expect(sut).toContain("frame-ancestors 'none'");
    expect(sut).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('adds what `next dev` needs only in development', () => {
    const sut = contentSecurityPolicy({ nonce: 'abc', development: true, webSocketOrigins: [] });
    expect(sut).toContain("'unsafe-eval'");
    expect(sut).toContain("style-src 'self' 'unsafe-inline'");
  });
});

describe(webSocketOrigins.name, () => {
  it("allows the page's own WebSocket origin and the configured one", () => {
    expect(webSocketOrigins({ protocol: 'https:', host: 'chat.example.com' }, '')).toEqual([
      'wss://chat.example.com',
    ]);
    expect(
      webSocketOrigins(
        { protocol: 'http:', host: 'localhost:3100' },
        'ws://localhost:3002/ws/chat',
      ),
    ).toEqual(['ws://localhost:3100', 'ws://localhost:3002']);
  });

  it('puts no Host header into the policy that could add a source of its own', () => {
    for (const host of ['evil.example *', "x; script-src 'unsafe-inline'", 'a b', '']) {
      expect(webSocketOrigins({ protocol: 'https:', host }, '')).toEqual([]);
    }
  });
});
