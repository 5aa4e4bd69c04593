import { describe, expect, it } from 'vitest';
import { decideConversationAccess as sut } from './conversation-access.policy';

describe(sut.name, () => {
  it('lets admins into every conversation and joins them on open', () => {
    expect(sut({ role: 'admin', country: null }, 'VN', false)).toEqual({
      allowed: true,
      autoJoin: true,
    });
    expect(sut({ role: 'admin', country: null }, 'TH', true)).toEqual({
      allowed: true,
      autoJoin: false,
    });
  });

  it('scopes staff to the booking country; staff without a country see all', () => {
    expect(sut({ role: 'staff', country: 'VN' }, 'VN', false)).toEqual({
      allowed: true,
      autoJoin: true,
    });
    expect(sut({ role: 'staff', country: 'VN' }, 'VN', true)).toEqual({
      allowed: true,
      autoJoin: false,
    });
    expect(sut({ role: 'staff', country: 'TH' }, 'VN', false)).toEqual({
      allowed: false,
      autoJoin: false,
    });
    expect(sut({ role: 'staff', country: null }, 'VN', false)).toEqual({
      allowed: true,
      autoJoin: true,
    });
  });

  it('keeps staff out of foreign threads even when they are participants', () => {
    expect(sut({ role: 'staff', country: 'TH' }, 'VN', true)).toEqual({
      allowed: false,
      autoJoin: false,
    });
  });

  it('lets customers into their own conversations only, never by joining', () => {
    expect(sut({ role: 'customer', country: 'VN' }, 'VN', true)).toEqual({
      allowed: true,
      autoJoin: false,
    });
    expect(sut({ role: 'customer', country: 'VN' }, 'VN', false)).toEqual({
      allowed: false,
      autoJoin: false,
    });
  });
});
