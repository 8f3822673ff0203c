// A layer's snapshot (the unpacked directory later steps stack as a lower dir) holds exactly the layer. A RUN's
// upper dir becomes its layer's snapshot, and overlayfs copies a file up even when a step changes nothing in it
// (`chmod 644` of a 0644 file): the layer leaves such a file out, and so must the snapshot. Before, the empty
// layer's snapshot (shared by every RUN that changes nothing) kept it, and other images saw another build's file.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('snapshots hold exactly their layer', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function build(dockerfile: string): Promise<string[]> {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const run = await buildIn(store, ctx);
    if (run.error) throw run.error;
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    return (await readdir(path.join(out, 'tmp'))).sort();
  }

  it('a file copied up but not changed by one build is not seen by another build whose RUN changed nothing', async () => {
    expect(
      await build('FROM busybox\nRUN echo x > /tmp/keep\nRUN chmod 644 /tmp/keep && ls /tmp > /dev/null\n'),
    ).toEqual(['keep']);
    // `RUN true` commits the empty layer, whose snapshot the first build's no-op chmod step published.
    expect(await build('FROM busybox\nRUN true\nRUN ls /tmp > /tmp/listing\n')).toEqual(['listing']);
  });
});
