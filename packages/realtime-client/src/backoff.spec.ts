import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe(backoffDelay.name, () => {
  const options = { baseMs: 500, maxMs: 20_000 };

  it('draws uniformly below a ceiling that doubles per attempt', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(0);
    expect(backoffDelay(0, options, () => 0.999_999)).toBe(499);
    expect(backoffDelay(1, options, () => 0.999_999)).toBe(999);
    expect(backoffDelay(3, options, () => 0.5)).toBe(2_000);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(6, options, () => 0.999_999)).toBe(19_999);
    expect(backoffDelay(1_000, options, () => 0.999_999)).toBe(19_999);
    expect(backoffDelay(-3, options, () => 0.999_999)).toBe(499);
  });

  it('spreads a crowd over the whole window (full jitter, not equal jitter)', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelay(2, options));
    expect(Math.min(...delays)).toBeLessThan(200);
    expect(Math.max(...delays)).toBeGreaterThan(1_800);
    expect(delays.every((delay) => delay >= 0 && delay < 2_000)).toBe(true);
  });
});
