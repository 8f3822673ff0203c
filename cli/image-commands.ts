// Declarations of the image commands (images, inspect, history, tag, rmi, prune, save, load, import, pull,
// push, login, logout). Cheap on purpose: each command's implementation is imported only when it runs.
import type { Argv } from 'yargs';
import { registerCacheCommands } from './cache-commands.js';
import { collect, operand, type Runner } from './operands.js';

const insecure = {
  type: 'string',
  describe: 'registry host[:port] to reach over plain HTTP (repeatable; loopback always may)',
} as const;

const format = {
  type: 'string',
  describe: "'table', 'table TEMPLATE', 'json' or a Go template (docker's --format)",
} as const;

/**
 * docker's `--no-trunc`. yargs reads any `--no-X` as X=false, so `--no-trunc` arrives as trunc=false: the key is
 * declared (hidden) or `.strict()` rejects it as "Unknown argument: trunc"; `no-trunc` is declared for --help.
 */
const noTrunc = { type: 'boolean', default: false, describe: 'do not truncate output' } as const;
const truncKey = { type: 'boolean', hidden: true } as const;

export function registerImageCommands(y: Argv, choose: (runner: Runner) => void): Argv {
  return registerCacheCommands(y, choose)
    .command(
      'images [reference]',
      'List the images in the store',
      (c) =>
        c
          .positional('reference', { type: 'string', describe: 'only REPOSITORY[:TAG] (a reference filter)' })
          .option('all', { alias: 'a', type: 'boolean', default: false, describe: 'also list untagged entries' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'only image IDs' })
          .option('digests', { type: 'boolean', default: false, describe: 'show digests' })
          .option('no-trunc', noTrunc)
          .option('trunc', truncKey)
          .option('filter', {
            alias: 'f',
            type: 'string',
            describe:
              'dangling=true|false, reference=PATTERN, before=|since=IMAGE, until=TIME, label=KEY[=VALUE] (repeatable)',
          })
          .option('format', format),
      (a) =>
        choose(async () =>
          (await import('./commands/images/run.js')).run({
            all: a.all,
            quiet: a.quiet,
            digests: a.digests,
            noTrunc: a.trunc === false || a['no-trunc'] === true,
            filters: collect(a.filter),
            reference: a.reference,
            format: a.format,
          }),
        ),
    )
    .command(
      'inspect <images..>',
      'Show images as JSON (Docker’s shape)',
      (c) =>
        c
          .positional('images', { type: 'string', array: true, demandOption: true })
          .option('format', { ...format, alias: 'f', describe: 'Go template applied to each image, or json' }),
      (a) =>
        choose(async () =>
          (await import('./commands/inspect/run.js')).run({ images: collect(a.images), format: a.format }),
        ),
    )
    .command(
      'history <image>',
      'Show the history of an image',
      (c) =>
        c
          .positional('image', { type: 'string', demandOption: true })
          .option('human', { alias: 'H', type: 'boolean', default: true, describe: 'sizes and dates for people' })
          .option('no-trunc', noTrunc)
          .option('trunc', truncKey)
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'only image IDs' })
          .option('format', format),
      (a) =>
        choose(async () =>
          (await import('./commands/history/run.js')).run({
            image: a.image,
            human: a.human,
            noTrunc: a.trunc === false || a['no-trunc'] === true,
            quiet: a.quiet,
            format: a.format,
          }),
        ),
    )
    .command(
      'tag <source> <target>',
      'Create a tag TARGET that refers to SOURCE',
      (c) =>
        c
          .positional('source', { type: 'string', demandOption: true })
          .positional('target', { type: 'string', demandOption: true }),
      (a) => choose(async () => (await import('./commands/tag/run.js')).run({ source: a.source, target: a.target })),
    )
    .command(
      'rmi <images..>',
      'Remove tags; an image whose last tag goes is removed',
      (c) =>
        c
          .positional('images', { type: 'string', array: true, demandOption: true })
          .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'remove every tag of an ID' }),
      (a) =>
        choose(async () => (await import('./commands/rmi/run.js')).run({ images: collect(a.images), force: a.force })),
    )
    .command(
      'save <images..>',
      'Write images to a docker-archive (or OCI archive) tar',
      (c) =>
        c
          .positional('images', { type: 'string', array: true, demandOption: true })
          .option('output', { alias: 'o', type: 'string', describe: 'file (default: standard output)' })
          .option('format', { choices: ['docker', 'oci'] as const, default: 'docker' as const }),
      (a) =>
        choose(async () =>
          (await import('./commands/save/run.js')).run({
            images: collect(a.images),
            output: operand(a.output),
            format: a.format,
          }),
        ),
    )
    .command(
      'load',
      'Load images from a docker-archive or OCI archive',
      (c) =>
        c
          .option('input', { alias: 'i', type: 'string', describe: 'archive file (default: standard input)' })
          .option('name', { type: 'string', describe: 'name for OCI archive entries that carry only a tag' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false }),
      (a) =>
        choose(async () =>
          (await import('./commands/load/run.js')).run({ input: operand(a.input), name: a.name, quiet: a.quiet }),
        ),
    )
    .command(
      'import <file> [name]',
      'Create an image from a root filesystem tarball (- for stdin)',
      (c) =>
        c
          .positional('file', { type: 'string', demandOption: true })
          .positional('name', { type: 'string', describe: 'NAME[:TAG]' })
          .option('message', { alias: 'm', type: 'string', describe: 'history comment' })
          .option('platform', { type: 'string', describe: 'os/arch[/variant] of the image' }),
      (a) =>
        choose(async () =>
          (await import('./commands/import/run.js')).run({
            file: operand(a.file),
            name: a.name,
            message: a.message,
            platform: a.platform,
          }),
        ),
    )
    .command(
      'pull <name>',
      'Pull an image from a registry',
      (c) =>
        c
          .positional('name', { type: 'string', demandOption: true, describe: 'NAME[:TAG|@DIGEST]' })
          .option('platform', { type: 'string', describe: 'os/arch[/variant] (default: this machine)' })
          .option('insecure-registry', insecure)
          .option('quiet', { alias: 'q', type: 'boolean', default: false }),
      (a) =>
        choose(async () =>
          (await import('./commands/pull/run.js')).run({
            name: a.name,
            platform: a.platform,
            insecureRegistries: collect(a['insecure-registry']),
            quiet: a.quiet,
          }),
        ),
    )
    .command(
      'push <name>',
      'Push an image to a registry',
      (c) =>
        c
          .positional('name', { type: 'string', demandOption: true, describe: 'NAME[:TAG]' })
          .option('insecure-registry', insecure)
          .option('quiet', { alias: 'q', type: 'boolean', default: false }),
      (a) =>
        choose(async () =>
          (await import('./commands/push/run.js')).run({
            name: a.name,
            insecureRegistries: collect(a['insecure-registry']),
            quiet: a.quiet,
          }),
        ),
    )
    .command(
      'login [server]',
      'Log in to a registry (Docker Hub by default)',
      (c) =>
        c
          .positional('server', { type: 'string' })
          .option('username', { alias: 'u', type: 'string' })
          .option('password', { alias: 'p', type: 'string' })
          .option('password-stdin', { type: 'boolean', default: false })
          .option('insecure-registry', insecure),
      (a) =>
        choose(async () =>
          (await import('./commands/login/run.js')).run({
            server: a.server,
            username: a.username,
            password: a.password,
            passwordStdin: a['password-stdin'],
            insecureRegistries: collect(a['insecure-registry']),
          }),
        ),
    )
    .command(
      'logout [server]',
      'Forget the credentials of a registry',
      (c) => c.positional('server', { type: 'string' }),
      (a) => choose(async () => (await import('./commands/logout/run.js')).run({ server: a.server })),
    );
}
