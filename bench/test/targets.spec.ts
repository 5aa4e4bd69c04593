import { describe, expect, it } from 'vitest';
import { ratioText } from '../src/targets';

describe(ratioText.name, () => {
  it('never rounds a missed ratio onto its goal, nor a met one off it', () => {
    expect(ratioText(0.6669, 1.5)).toBe('0.67×');
    expect(ratioText(20_001 / 40_050, 0.5)).toBe('0.499×');
    expect(ratioText(1.49999, 1.5)).toBe('1.49999×');
    expect(ratioText(0.5, 0.5)).toBe('0.50×');
  });
});
