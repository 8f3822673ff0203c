// The times a COPY/ADD --chown gives what it copies, as BuildKit's file operation gives them: fsutil's copy sets
// each copied file's and directory's owner, mode and then its source's atime/mtime (copy_linux.go copyFileInfo, a
// directory after its children), --chown or not; only the directories it has to create itself (MkdirAll: the
// destination and its missing parents) get the build's time, with the --chown owner. (docker 20.10 showed the
// transfer time on context directories that have children, --chown or not: its context receiver, not the copy.)
import { readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const then = 978307200; // 2001-01-01T00:00:00Z

describe.skipIf(isolationUnavailable() !== undefined)('COPY --chown times', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  it('keeps the source times of copied files and subdirectories; made directories get the build time', async () => {
    const context = await freshDir('c');
    const paths = ['/own', '/tmp/own', '/plain'];
    const listed = paths.flatMap((p) => [p, `${p}/sub`, `${p}/sub/deep`, `${p}/sub/f`, `${p}/top`]).join(' ');
    await writeContext(context, [
      {
        path: 'Dockerfile',
        content:
          // COPY into a new directory is written directly, ADD always through the overlay.
          'FROM busybox\nCOPY --chown=1:2 d /own\nADD --chown=1:2 d /tmp/own\nCOPY d /plain\n' +
          `RUN for p in ${listed}; do stat -c "%n %u:%g %Y" $p; done > /list\n`,
      },
      { path: 'd/sub/deep', type: 'dir' },
      { path: 'd/sub/f', content: 'f\n' },
      { path: 'd/top', content: 'top\n' },
    ]);
    for (const p of ['d/sub/deep', 'd/sub/f', 'd/sub', 'd/top', 'd']) await utimes(path.join(context, p), then, then);
    const out = await freshDir('o');
    const built = await buildCommand(store, { context, quiet: true, outputs: [`type=local,dest=${out}`] });
    expect(built.stderr).toBe('');
    const lines = (await readFile(path.join(out, 'list'), 'utf8')).trimEnd().split('\n');
    const made = Number(lines[0].split(' ')[2]);
    expect(made).toBeGreaterThan(then);
    const expected = (p: string, owner: string) => [
      `${p} ${owner} ${made}`,
      `${p}/sub ${owner} ${then}`,
      `${p}/sub/deep ${owner} ${then}`,
      `${p}/sub/f ${owner} ${then}`,
      `${p}/top ${owner} ${then}`,
    ];
    expect(
      lines.map((l) => (l.startsWith('/tmp/own ') || l.startsWith('/plain ') ? l.replace(/\d+$/, `${made}`) : l)),
    ).toEqual([...expected('/own', '1:2'), ...expected('/tmp/own', '1:2'), ...expected('/plain', '0:0')]);
  });
});
