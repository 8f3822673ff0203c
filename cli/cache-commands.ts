// Declarations of the store-space commands: `prune`, `builder prune` (docker's name for pruning the build cache),
// `system df` (and its short form `df`). Implementations are imported only when a command runs.
import type { Argv } from 'yargs';
import { collect, type Runner } from './operands.js';

const cacheOptions = (c: Argv) =>
  c
    .option('keep-recent', {
      type: 'number',
      default: 600,
      describe: 'keep unreferenced data younger than this (seconds)',
    })
    .option('force', { alias: 'f', type: 'boolean', describe: 'accepted for Docker compatibility (never prompts)' })
    .option('all', {
      alias: 'a',
      type: 'boolean',
      describe: 'build cache: also records an image shares (default: only those no image uses)',
    })
    .option('filter', {
      type: 'string',
      describe: 'build cache: until=DURATION (unused for that long), type=regular|exec.cachemount, id=, description=',
    })
    .option('keep-storage', { type: 'string', describe: 'build cache: keep this much, least recently used goes first' })
    .option('reserved-space', { type: 'string', describe: 'build cache: never prune below this size' })
    .option('max-used-space', { type: 'string', describe: 'build cache: prune down to at most this size' })
    .option('min-free-space', { type: 'string', describe: "build cache: prune until the store's disk has this free" })
    .option('quiet', { alias: 'q', type: 'boolean', default: false });

type CacheArgs = Awaited<ReturnType<typeof cacheOptions>['argv']>;

/** `allByDefault`: `prune --build-cache` has meant docker's `builder prune -a` since it exists, so it stays that. */
function pruneRunner(a: CacheArgs, buildCache: boolean, allByDefault: boolean): Runner {
  const all = a.all ?? (buildCache && allByDefault ? true : undefined);
  return async () =>
    (await import('./commands/prune/run.js')).run({
      keepRecentSeconds: a['keep-recent'],
      buildCache,
      quiet: a.quiet,
      ...(all === undefined ? {} : { all }),
      filters: collect(a.filter),
      ...(a['keep-storage'] === undefined ? {} : { keepStorage: a['keep-storage'] }),
      ...(a['reserved-space'] === undefined ? {} : { reservedSpace: a['reserved-space'] }),
      ...(a['max-used-space'] === undefined ? {} : { maxUsedSpace: a['max-used-space'] }),
      ...(a['min-free-space'] === undefined ? {} : { minFreeSpace: a['min-free-space'] }),
    });
}

const dfOptions = (c: Argv) =>
  c
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'list images and build cache records' })
    .option('format', {
      type: 'string',
      describe: "'table', 'table TEMPLATE', 'json' or a Go template (.Type .TotalCount .Active .Size .Reclaimable)",
    });

export function registerCacheCommands(y: Argv, choose: (runner: Runner) => void): Argv {
  return y
    .command(
      'prune',
      'Remove unreferenced blobs, temp files and orphan snapshots (--build-cache: and build cache)',
      (c) =>
        cacheOptions(c).option('build-cache', {
          type: 'boolean',
          default: false,
          describe: 'also prune the build cache, all of it (docker builder prune -a; --no-all: as builder prune)',
        }),
      (a) => choose(pruneRunner(a, a['build-cache'], true)),
    )
    .command('builder', 'Manage the build cache', (b) =>
      b
        .command('prune', 'Remove build cache (prune --build-cache)', cacheOptions, (a) =>
          choose(pruneRunner(a, true, false)),
        )
        .demandCommand(1),
    )
    .command('system', 'Manage the store', (s) =>
      s
        .command('df', 'Show disk usage: images and build cache', dfOptions, (a) =>
          choose(async () =>
            (await import('./commands/df/run.js')).run({
              verbose: a.verbose,
              ...(a.format === undefined ? {} : { format: a.format }),
            }),
          ),
        )
        .demandCommand(1),
    )
    .command('df', 'Show disk usage (system df)', dfOptions, (a) =>
      choose(async () =>
        (await import('./commands/df/run.js')).run({
          verbose: a.verbose,
          ...(a.format === undefined ? {} : { format: a.format }),
        }),
      ),
    );
}
