// `tsbuild build --build-context NAME=VALUE` end to end: COPY --from= and RUN --mount=from= a local directory
// (its own .dockerignore, no way out of it, cached by the content of what is selected), FROM a directory, and
// FROM a name that a docker-image:// context points at another image of the store.
import { readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildCliOptions } from '../../cli/commands/build/run.js';
import type { Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const cli = (store: Store, opts: Partial<BuildCliOptions> & { context: string }) => buildCommand(store, opts);

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild build --build-context', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let extra: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    const parent = await freshDir('p');
    extra = path.join(parent, 'extra');
    await writeFile(path.join(parent, 'outside.txt'), 'outside\n');
    await writeContext(extra, [
      { path: 'app/a.txt', content: 'a\n' },
      { path: 'app/skip.log', content: 'ignored\n' },
      { path: 'app/out', type: 'symlink', target: '../../outside.txt' },
      { path: 'conf/c.txt', content: 'c\n' },
      { path: 'unused.txt', content: 'u\n' },
      { path: '.dockerignore', content: '**/*.log\n' },
    ]);
  });

  const read = (dir: string, name: string) => readFile(path.join(dir, name), 'utf8');

  it('COPY --from= and RUN --mount=from= read the directory, with its .dockerignore, as the context is read', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nCOPY --from=extra app/ /app/\n' +
          'RUN --mount=from=extra,source=conf,target=/conf cat /conf/c.txt > /mounted\n',
      },
    ]);
    const out = await freshDir('o');
    const options = {
      context: ctx,
      buildContexts: [`extra=${extra}`],
      outputs: [`type=local,dest=${out}`],
      tags: ['named-context:1'], // with files only out, no image would be kept nor its id printed
    };
    const first = await cli(store, options);
    expect(first.stderr).not.toContain('ERROR');
    expect(first.code).toBe(0);
    expect(await read(out, 'app/a.txt')).toBe('a\n');
    await expect(read(out, 'app/skip.log')).rejects.toThrow('ENOENT');
    expect(await read(out, 'mounted')).toBe('c\n');
    // The symlink is copied as a link; nothing outside the named directory is.
    expect(await readlink(path.join(out, 'app/out'))).toBe('../../outside.txt');

    // An unselected file changed: every step is cached and the image is the same.
    await writeFile(path.join(extra, 'unused.txt'), 'changed\n');
    const again = await cli(store, { ...options, outputs: [] });
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr.match(/CACHED/g)).toHaveLength(2);
    // A selected one changed: the COPY runs again.
    await writeFile(path.join(extra, 'app/a.txt'), 'a2\n');
    const changed = await cli(store, options);
    expect(changed.code).toBe(0);
    expect(changed.stdout).not.toBe(first.stdout);
    expect(await read(out, 'app/a.txt')).toBe('a2\n');
    await writeFile(path.join(extra, 'app/a.txt'), 'a\n');
  });

  it('a context the Dockerfile does not use is not read', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\nCOPY --from=extra conf/ /conf/\n' }]);
    const unused = await freshDir('u');
    const result = await cli(store, {
      context: ctx,
      progress: 'plain',
      buildContexts: [`extra=${extra}`, `unused=${unused}`],
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('[context extra] load from client');
    expect(result.stderr).not.toContain('[context unused]');
  });

  it('a source climbing out of the directory, by .. or through a symlink, is not found', async () => {
    for (const [source, missing] of [
      ['../outside.txt', '/outside.txt'],
      ['app/out', '/app/out'],
    ]) {
      const ctx = await freshDir('c');
      await writeContext(ctx, [{ path: 'Dockerfile', content: `FROM busybox\nCOPY --from=extra ${source} /x\n` }]);
      const result = await cli(store, { context: ctx, quiet: true, buildContexts: [`extra=${extra}`] });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`"${missing}": not found`);
    }
  });

  it('a cache mount seeded from a directory is refused, by name', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN --mount=type=cache,from=extra,source=conf,target=/c true\n' },
    ]);
    const result = await cli(store, { context: ctx, quiet: true, buildContexts: [`extra=${extra}`] });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a cache mount cannot be seeded from the build context extra: not supported');
  });

  it('FROM a directory makes a stage of its content', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM extra AS files\nFROM busybox\nCOPY --from=files /conf/c.txt /c.txt\n' },
    ]);
    const out = await freshDir('o');
    const result = await cli(store, {
      context: ctx,
      buildContexts: [`extra=${extra}`],
      outputs: [`type=local,dest=${out}`],
    });
    expect(result.stderr).not.toContain('ERROR');
    expect(result.code).toBe(0);
    expect(await read(out, 'c.txt')).toBe('c\n');
  });

  it('FROM NAME uses the image a docker-image:// context names', async () => {
    const tools = await freshDir('c');
    await writeContext(tools, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY marker /marker\n' },
      { path: 'marker', content: 'from tools\n' },
    ]);
    expect((await cli(store, { context: tools, quiet: true, tags: ['tools:1'] })).code).toBe(0);
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM alpine\nRUN cat /marker > /seen\n' }]);
    const out = await freshDir('o');
    const result = await cli(store, {
      context: ctx,
      buildContexts: ['docker.io/library/alpine:latest=docker-image://tools:1'],
      outputs: [`type=local,dest=${out}`],
      pull: false,
    });
    expect(result.stderr).not.toContain('ERROR');
    expect(result.code).toBe(0);
    expect(await read(out, 'seen')).toBe('from tools\n');
    expect(result.stderr).toContain('FROM docker.io/library/tools:1');
  });
});
