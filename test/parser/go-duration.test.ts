// Go's time.ParseDuration, as BuildKit reads HEALTHCHECK's duration flags and docker a prune's `until=`.
import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../parser/index.js';

describe('parseGoDuration', () => {
  it('reads what Go reads, in nanoseconds', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['-0', 0],
      ['1ns', 1],
      ['1.5s', 1.5e9],
      ['.5m', 30e9],
      ['2.h', 7200e9],
      ['1h30m', 5400e9],
      ['-2m', -120e9],
      ['+3ms', 3e6],
      ['10us', 10_000],
      ['10µs', 10_000],
      ['10μs', 10_000],
    ];
    for (const [text, ns] of cases) expect(parseGoDuration(text), text).toEqual({ ok: true, ns });
  });

  it("gives Go's messages for what Go refuses", () => {
    const cases: [string, string][] = [
      ['', 'time: invalid duration ""'],
      ['-', 'time: invalid duration "-"'],
      ['.s', 'time: invalid duration ".s"'],
      ['s', 'time: invalid duration "s"'],
      ['1h-2m', 'time: unknown unit "h-" in duration "1h-2m"'],
      ['-s', 'time: invalid duration "-s"'],
      ['5', 'time: missing unit in duration "5"'],
      ['1h5', 'time: missing unit in duration "1h5"'],
      ['3d', 'time: unknown unit "d" in duration "3d"'],
      ['1 s', 'time: unknown unit " s" in duration "1 s"'],
    ];
    for (const [text, error] of cases) expect(parseGoDuration(text), text).toEqual({ ok: false, error });
  });
});
