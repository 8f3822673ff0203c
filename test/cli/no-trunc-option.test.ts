// `--no-trunc` on `images` and `history`, as docker takes it: yargs reads any `--no-X` as X=false, and the strict
// parser rejected the `trunc` it made ("Unknown argument: trunc", exit 2) before the option reached the command.
import { describe, expect, it, vi } from 'vitest';
import { buildCli } from '../../cli/program.js';

const seen = vi.hoisted(() => [] as Record<string, unknown>[]);
vi.mock('../../cli/commands/history/run.js', () => ({
  run: async (opts: Record<string, unknown>) => {
    seen.push(opts);
    return 0;
  },
}));
vi.mock('../../cli/commands/images/run.js', () => ({
  run: async (opts: Record<string, unknown>) => {
    seen.push(opts);
    return 0;
  },
}));

async function optionsOf(args: string[]): Promise<Record<string, unknown>> {
  seen.length = 0;
  let runner: (() => Promise<number>) | undefined;
  buildCli(args, (r) => {
    runner = r as () => Promise<number>;
  }).parseSync();
  expect(runner).toBeDefined();
  await runner?.();
  expect(seen).toHaveLength(1);
  return seen[0] as Record<string, unknown>;
}

describe('--no-trunc', () => {
  it('reaches history, before or after the image and beside --format', async () => {
    expect((await optionsOf(['history', '--no-trunc', 'app:1'])).noTrunc).toBe(true);
    expect((await optionsOf(['history', 'app:1', '--no-trunc', '--format', '{{.ID}}'])).noTrunc).toBe(true);
    expect((await optionsOf(['history', 'app:1'])).noTrunc).toBe(false);
  });

  it('reaches images', async () => {
    expect((await optionsOf(['images', '--no-trunc'])).noTrunc).toBe(true);
    expect((await optionsOf(['images', '-a', '--no-trunc', 'app'])).noTrunc).toBe(true);
    expect((await optionsOf(['images'])).noTrunc).toBe(false);
  });
});
