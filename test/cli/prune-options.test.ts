// What `prune --build-cache` and `builder prune` pass to the prune command: the first has always meant docker's
// `builder prune -a` (the whole build cache), the second is docker's `builder prune` (records no image shares).
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../cli/commands/prune/run.js', () => ({ run: async (options: unknown) => options }));

const { buildCli } = await import('../../cli/program.js');

async function pruneOptions(argv: string[]): Promise<Record<string, unknown>> {
  let chosen: (() => Promise<unknown>) | undefined;
  await buildCli(argv, (runner) => {
    chosen = runner as () => Promise<unknown>;
  }).parseAsync();
  if (chosen === undefined) throw new Error(`yargs chose no command for ${JSON.stringify(argv)}`);
  return (await chosen()) as Record<string, unknown>;
}

describe('prune options', () => {
  it('prune --build-cache removes the whole build cache unless --no-all', async () => {
    expect(await pruneOptions(['prune', '--build-cache'])).toMatchObject({ buildCache: true, all: true });
    expect(await pruneOptions(['prune', '--build-cache', '--no-all'])).toMatchObject({ buildCache: true, all: false });
  });

  it('builder prune is docker builder prune: -a only when given', async () => {
    expect(await pruneOptions(['builder', 'prune'])).not.toHaveProperty('all');
    expect(await pruneOptions(['builder', 'prune', '-a'])).toMatchObject({ buildCache: true, all: true });
  });

  it('plain prune leaves the build cache alone', async () => {
    const options = await pruneOptions(['prune']);
    expect(options).toMatchObject({ buildCache: false });
    expect(options).not.toHaveProperty('all');
  });
});
