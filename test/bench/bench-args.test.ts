import { describe, expect, it } from 'vitest';
import { readBenchArgs } from '../../bench/bench-args.js';

const usage = 'npm run bench:x -- [--runs 3] [--fast]';
const options = { runs: { type: 'string', default: '3' }, fast: { type: 'boolean', default: false } } as const;

describe('readBenchArgs', () => {
  it('gives the values, defaults filled in', () => {
    expect(readBenchArgs(usage, { options, args: ['--runs', '5'] })).toEqual({ values: { runs: '5', fast: false } });
    expect(readBenchArgs(usage, { options, args: [] })).toEqual({ values: { runs: '3', fast: false } });
  });

  it('answers --help and -h with the usage line, exit 0', () => {
    const help = { exitCode: 0, stdout: `usage: ${usage}\n` };
    expect(readBenchArgs(usage, { options, args: ['--help'] })).toEqual(help);
    expect(readBenchArgs(usage, { options, args: ['--runs', '2', '-h'] })).toEqual(help);
  });

  it('answers a wrong option with its message and the usage line, exit 2', () => {
    const read = readBenchArgs(usage, { options, args: ['--bogus'] });
    expect(read).toMatchObject({ exitCode: 2 });
    const stderr = 'stderr' in read ? read.stderr : '';
    expect(stderr).toMatch(/^Unknown option '--bogus'/);
    expect(stderr.endsWith(`\nusage: ${usage}\n`)).toBe(true);
  });
});
