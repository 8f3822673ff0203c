// `--no-cache-filter` on the command line: yargs would read `--no-cache-filter a` as cache-filter=false and a
// stray operand; the option arrives whole, repeatable, in the form BuildKit's stage matching takes.
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../cli/program.js';
import { ignoresCache } from '../../executor/build/schedule.js';

const parsed = (args: string[]) => buildCli(args, () => {}).parseSync() as Record<string, unknown>;

describe('--no-cache-filter', () => {
  it('keeps its values, repeated or with =, and leaves the context operand alone', () => {
    const a = parsed(['build', '--no-cache-filter', 'a,b', '--no-cache-filter=c', '--no-cache', '.']);
    expect(a['nocache-filter']).toEqual(['a,b', 'c']);
    expect(a.context).toBe('.');
    expect(a.cache).toBe(false);
    expect(parsed(['build', '.', '--no-cache-filter', 'x'])['nocache-filter']).toBe('x');
  });

  it('names stages as BuildKit’s IsNoCache does: ignoring case; an empty name is every unnamed stage', () => {
    expect(ignoresCache(['Build'], { name: 'build' })).toBe(true);
    expect(ignoresCache(['build'], { name: 'BUILD' })).toBe(true);
    expect(ignoresCache(['other'], { name: 'build' })).toBe(false);
    expect(ignoresCache(['build', ''], { name: null })).toBe(true);
    expect(ignoresCache(['build'], { name: null })).toBe(false);
    expect(ignoresCache([], { name: 'build' })).toBe(false);
  });
});
