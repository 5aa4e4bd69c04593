import { type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ClientAddresses, TRUSTED_PROXY_SECRET_HEADER } from './client-address';

function request(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  const socket = { remoteAddress: peer };
  return { headers, socket, connection: socket } as unknown as IncomingMessage;
}

describe(ClientAddresses.name, () => {
  const spoofed = { 'x-forwarded-for': '203.0.113.66' };

  it('believes only the loopback by default, not a neighbour on a private network', () => {
    const sut = new ClientAddresses({ addresses: ['loopback'] }, null);
    expect(sut.of(request('127.0.0.1', spoofed))).toBe('203.0.113.66');
    // A container on a shared Docker network (10.0.1.0/24, say) claiming any address it likes.
    expect(sut.of(request('10.0.1.23', spoofed))).toBe('10.0.1.23');
    expect(sut.of(request('::ffff:172.18.0.4', spoofed))).toBe('::ffff:172.18.0.4');
  });

  it('walks X-Forwarded-For from the nearest hop to the first address it does not trust', () => {
    const sut = new ClientAddresses({ addresses: ['10.0.1.0/24'] }, null);
    const chain = { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.0.1.8' };
    expect(sut.of(request('10.0.1.7', chain))).toBe('203.0.113.9');
  });

  it('counts hops when given a number', () => {
    const sut = new ClientAddresses({ hops: 1 }, null);
    expect(sut.of(request('10.9.9.9', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }))).toBe(
      '203.0.113.9',
    );
    expect(sut.of(request('10.9.9.9'))).toBe('10.9.9.9');
  });

  it("with a secret, believes forwarding headers only on requests that carry the edge's secret", () => {
    const secret = 'edge-secret-0123456789';
    const sut = new ClientAddresses({ addresses: ['uniquelocal'] }, secret);
    expect(sut.of(request('10.0.1.5', spoofed))).toBe('10.0.1.5');
    expect(
      sut.of(
        request('10.0.1.5', { ...spoofed, [TRUSTED_PROXY_SECRET_HEADER]: 'guess-guess-guess' }),
      ),
    ).toBe('10.0.1.5');
    expect(sut.of(request('10.0.1.5', { ...spoofed, [TRUSTED_PROXY_SECRET_HEADER]: secret }))).toBe(
      '203.0.113.66',
    );
  });
});
