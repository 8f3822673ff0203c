// A COPY that meets an entry of another kind where it writes fails as BuildKit's file operation does (fsutil's copy
// and MkdirAll, continuity's RootPath), in their words, with the path as the image sees it: a directory is never
// copied onto a file or a symlink, a file never onto a directory, and the destination's parents must be
// directories. A file or a symlink in the way of a file is replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('COPY onto an entry of another kind', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  /** Builds onto an image with /out/x/ (a directory), /t/lnk -> /real (a symlink to one) and /lnkfile -> real/f. */
  const build = async (instruction: string, check = 'true') => {
    const context = await freshDir('c');
    const dockerfile =
      'FROM busybox AS s\nRUN mkdir -p /out/x/sub /t /real && ln -s /real /t/lnk && echo old > /real/f && ln -s real/f /lnkfile\n' +
      `FROM s\n${instruction}\nRUN ${check}\n`;
    await writeContext(context, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'a.txt', content: 'a\n' },
      { path: 'd/inner', content: 'inner\n' },
      { path: 'e/x', content: 'a file where a directory is\n' },
      { path: 'f/lnk/q', content: 'a directory where a symlink is\n' },
      { path: 'g/lnk', content: 'a file where a symlink is\n' },
    ]);
    const result = await buildCommand(store, { context, quiet: true });
    const lines = result.stderr.trimEnd().split('\n');
    return { code: result.code, error: lines[lines.length - 1] };
  };

  it.each([
    ['COPY d/ /etc/passwd', 'cannot copy to non-directory: /etc/passwd'],
    ['COPY --from=s /out /etc/passwd', 'cannot copy to non-directory: /etc/passwd'],
    ['COPY a.txt d /etc/passwd', 'cannot copy to non-directory: /etc/passwd'],
    ['COPY f /t', 'cannot copy to non-directory: /t/lnk'],
    ['COPY e /out', 'cannot replace to directory /out/x with file'],
    ['COPY d /etc/passwd/', 'mkdir /etc/passwd: not a directory'],
    ['COPY a.txt /etc/passwd/', 'mkdir /etc/passwd: not a directory'],
    ['COPY a.txt /etc/passwd/x', 'mkdir /etc/passwd: not a directory'],
    ['COPY a.txt /etc/passwd/x/y', 'lstat /etc/passwd/x: not a directory'],
    ['WORKDIR /etc/passwd/x', 'lstat /etc/passwd/x: not a directory'],
  ])('%s fails: %s', async (instruction, message) => {
    const result = await build(instruction);
    expect(result.error).toBe(`ERROR: failed to solve: ${message}`);
    expect(result.code).toBe(1);
  });

  it.each([
    ['COPY g /t', 'test -f /t/lnk && ! test -L /t/lnk && test -d /real'],
    ['COPY a.txt /etc/passwd', 'test "$(cat /etc/passwd)" = a'],
    // fsutil's Copy resolves the destination (continuity's RootPath): the file a symlink leads to is replaced.
    ['COPY a.txt /lnkfile', 'test -L /lnkfile && test "$(cat /real/f)" = a'],
  ])('%s replaces the file in the way of a file', async (instruction, check) => {
    const result = await build(instruction, check);
    expect(result).toMatchObject({ code: 0 });
  });
});
