// A RUN that mounts another stage is keyed by the content of the mounted path (as BuildKit keys it),
// not by how that stage was built: the stage may re-run, and as long as the mounted files are the same
// the RUN, the steps after it and a COPY --from of its stage stay cached; new content re-runs them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import {
  type BuildRun,
  buildIn,
  cachedSteps,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

const dockerfile = `FROM busybox AS build
COPY cachebust data /
RUN mkdir out && cp /data out/data
FROM busybox AS use
RUN --mount=from=build,src=out,target=/out,rw touch /out/x && cat /out/data > /seen && head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n' > /nonce
RUN cat /nonce > /nonce2
FROM scratch
COPY --from=use /seen /nonce /nonce2 /
`;

describe.skipIf(isolationUnavailable() !== undefined)('RUN --mount=from=<stage> cache keys', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function buildWith(cachebust: string, data: string): Promise<{ run: BuildRun; files: Record<string, string> }> {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'cachebust', content: cachebust },
      { path: 'data', content: data },
    ]);
    const run = await buildIn(store, ctx);
    expect(run.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    const files: Record<string, string> = {};
    for (const name of ['seen', 'nonce', 'nonce2']) files[name] = await readFile(path.join(out, name), 'utf8');
    return { run, files };
  }

  it('follows the mounted content, not the mounted stage', async () => {
    const first = await buildWith('0', 'foo\n');
    expect(first.files.seen).toBe('foo\n');
    expect(first.files.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(first.files.nonce2).toBe(first.files.nonce);

    // The stage re-runs (its COPY changed) but leaves out/ as it was: everything after is cached.
    const second = await buildWith('1', 'foo\n');
    expect(second.files).toEqual(first.files);
    expect(cachedSteps(second.run.log)).toEqual([
      `[use 2/3] ${dockerfile.split('\n')[4]}`,
      '[use 3/3] RUN cat /nonce > /nonce2',
      '[stage-2 1/1] COPY --from=use /seen /nonce /nonce2 /',
    ]);

    // New content under out/: the RUN and everything after it run again.
    const third = await buildWith('1', 'bar\n');
    expect(third.files.seen).toBe('bar\n');
    expect(third.files.nonce).not.toBe(first.files.nonce);
    expect(third.files.nonce2).toBe(third.files.nonce);
    expect(cachedSteps(third.run.log)).toEqual([]);

    // Back to the first content: the first result is found again.
    const fourth = await buildWith('2', 'foo\n');
    expect(fourth.files).toEqual(first.files);
  });
});
