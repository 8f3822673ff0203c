// Times as Go's time.Time MarshalJSON writes them (RFC 3339 with nanoseconds, trailing zeros dropped), which is
// what BuildKit and Docker put in image configs and history.
import { describe, expect, it } from 'vitest';
import { goTime, goTimeOfSeconds, goTimeText } from '../../image/index.js';

describe('goTime', () => {
  it('writes no fraction when there is none', () => {
    expect(goTime(Date.UTC(2024, 0, 1, 5, 22, 3))).toBe('2024-01-01T05:22:03Z');
    expect(goTimeOfSeconds(1_700_000_000)).toBe('2023-11-14T22:13:20Z');
    expect(goTimeOfSeconds(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('writes a fraction without trailing zeros', () => {
    expect(goTime(Date.UTC(2024, 0, 1, 5, 22, 3, 123))).toBe('2024-01-01T05:22:03.123Z');
    expect(goTime(Date.UTC(2024, 0, 1, 5, 22, 3, 120))).toBe('2024-01-01T05:22:03.12Z');
    expect(goTime(Date.UTC(2024, 0, 1, 5, 22, 3, 500))).toBe('2024-01-01T05:22:03.5Z');
    expect(goTime(Date.UTC(2024, 0, 1, 5, 22, 3, 1))).toBe('2024-01-01T05:22:03.001Z');
    expect(goTimeOfSeconds(1_700_000_000.25)).toBe('2023-11-14T22:13:20.25Z');
  });
});

describe('goTimeText', () => {
  it('re-encodes JavaScript’s form as Go does', () => {
    expect(goTimeText('2024-01-01T05:22:03.000Z')).toBe('2024-01-01T05:22:03Z');
    expect(goTimeText('2024-01-01T05:22:03.100Z')).toBe('2024-01-01T05:22:03.1Z');
  });

  it('keeps nanoseconds and Go’s own form as they are', () => {
    expect(goTimeText('2023-12-08T19:17:58.873925467Z')).toBe('2023-12-08T19:17:58.873925467Z');
    expect(goTimeText('2023-12-08T19:17:58.873925460Z')).toBe('2023-12-08T19:17:58.87392546Z');
    expect(goTimeText('2024-01-01T05:22:03Z')).toBe('2024-01-01T05:22:03Z');
    // Go keeps nanoseconds only.
    expect(goTimeText('2024-01-01T05:22:03.1234567891Z')).toBe('2024-01-01T05:22:03.123456789Z');
  });

  it('writes a zero offset as Z and keeps another', () => {
    expect(goTimeText('2024-01-01T05:22:03.500+00:00')).toBe('2024-01-01T05:22:03.5Z');
    expect(goTimeText('2024-01-01T06:22:03+01:00')).toBe('2024-01-01T06:22:03+01:00');
  });

  it('is null for what is not an RFC 3339 time', () => {
    expect(goTimeText('yesterday')).toBeNull();
    expect(goTimeText('2024-01-01 05:22:03Z')).toBeNull();
    expect(goTimeText('')).toBeNull();
  });
});
