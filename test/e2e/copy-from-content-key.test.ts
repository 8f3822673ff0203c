// COPY --from=<stage> is keyed by the content it copies (as BuildKit keys it), not by how the stage was built:
// the stage may re-run, and as long as the selected files are the same (bytes, mode, owner, type, link target,
// the set of files a directory or wildcard selects) the COPY and the steps after it stay cached.
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildError } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import {
  type BuildRun,
  buildIn,
  type ContextEntry,
  cachedSteps,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

const nonce = 'RUN head -c 16 /dev/urandom | od -An -tx1 | tr -d " \\n" > /nonce';

describe.skipIf(isolationUnavailable() !== undefined)('COPY --from=<stage> cache keys', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  /** A context with `files`; `build()` builds it (in the one store of this file) and expects success. */
  async function contextWith(dockerfile: string, files: readonly ContextEntry[]) {
    const dir = await freshDir('c');
    await writeContext(dir, [{ path: 'Dockerfile', content: dockerfile }, ...files]);
    const build = async (): Promise<BuildRun> => {
      const run = await buildIn(store, dir);
      expect(run.error).toBeNull();
      return run;
    };
    return { dir, build };
  }

  it('a builder that re-ran with the same copied file keeps the COPY and what follows cached', async () => {
    const dockerfile = `FROM busybox AS builder\nCOPY . /src\nFROM busybox\nCOPY --from=builder /src/a.txt /a.txt\n${nonce}\n`;
    const { dir, build } = await contextWith(dockerfile, [
      { path: 'a.txt', content: 'a1\n' },
      { path: 'b.txt', content: 'b1\n' },
    ]);
    expect(cachedSteps((await build()).log)).toEqual([]);

    // Only b.txt changed: the builder's COPY runs again, the final stage is cached.
    await writeFile(path.join(dir, 'b.txt'), 'b2\n');
    expect(cachedSteps((await build()).log)).toEqual([
      '[stage-1 2/3] COPY --from=builder /src/a.txt /a.txt',
      `[stage-1 3/3] ${nonce}`,
    ]);

    // a.txt changed: the copy and the step after it run again.
    await writeFile(path.join(dir, 'a.txt'), 'a2\n');
    expect(cachedSteps((await build()).log)).toEqual([]);

    // A mode change alone (chmod of the copied file in the stage) is a change too.
    await chmod(path.join(dir, 'a.txt'), 0o600);
    expect(cachedSteps((await build()).log)).toEqual([]);
    // Back to the mode before: every step is found again, the builder's too.
    await chmod(path.join(dir, 'a.txt'), 0o644);
    expect(cachedSteps((await build()).log)).toEqual([
      '[builder 2/2] COPY . /src',
      '[stage-1 2/3] COPY --from=builder /src/a.txt /a.txt',
      `[stage-1 3/3] ${nonce}`,
    ]);
  }, 180_000);

  it('a wildcard, a directory with --exclude and a followed symlink see exactly what they select', async () => {
    const copyTxt = 'COPY --from=builder /src/*.txt /txt/';
    const copyDir = 'COPY --from=builder --exclude=*.log /src/dir /dir';
    const copyLink = 'COPY --from=builder /src/link /linked';
    const dockerfile = `FROM busybox AS builder\nCOPY . /src\nFROM busybox\n${copyTxt}\n${copyDir}\n${copyLink}\n${nonce}\n`;
    const { dir, build } = await contextWith(dockerfile, [
      { path: 'a.txt', content: 'a\n' },
      { path: 'dir/d.bin', content: 'd\n' },
      { path: 'target', content: 't1\n' },
      { path: 'link', type: 'symlink', target: 'target' },
    ]);
    await build();
    const all = [
      '[stage-1 2/5] ' + copyTxt,
      `[stage-1 3/5] ${copyDir}`,
      `[stage-1 4/5] ${copyLink}`,
      `[stage-1 5/5] ${nonce}`,
    ];

    // Files none of the copies selects: everything after the builder is cached.
    await writeFile(path.join(dir, 'notes.md'), 'n\n');
    await writeFile(path.join(dir, 'dir/trace.log'), 'l\n');
    expect(cachedSteps((await build()).log)).toEqual(all);

    // A file the wildcard matches is added: that copy and all after it run.
    await writeFile(path.join(dir, 'new.txt'), 'n\n');
    expect(cachedSteps((await build()).log)).toEqual([]);

    // A file inside the copied directory is added: the wildcard copy stays cached.
    await writeFile(path.join(dir, 'dir/new.bin'), 'n\n');
    expect(cachedSteps((await build()).log)).toEqual(all.slice(0, 1));

    // ...and removed again: the context is as two builds ago, and so is every step.
    await rm(path.join(dir, 'dir/new.bin'));
    expect(cachedSteps((await build()).log)).toEqual(['[builder 2/2] COPY . /src', ...all]);

    // The file behind the symlink the copy follows changes.
    await writeFile(path.join(dir, 'target'), 't2\n');
    expect(cachedSteps((await build()).log)).toEqual(all.slice(0, 2));
  }, 240_000);

  it('copies from a scratch stage and from an image; a missing source fails at its line as before', async () => {
    const dockerfile =
      'FROM scratch AS empty\nFROM busybox AS one\nCOPY a.txt /a.txt\nFROM scratch AS files\nCOPY --from=one /a.txt /f\n' +
      'FROM busybox\nCOPY --from=empty / /e/\nCOPY --from=files /f /f\nCOPY --from=busybox /bin/busybox /bb\n';
    const { dir, build } = await contextWith(dockerfile, [{ path: 'a.txt', content: 'a\n' }]);
    await build();
    const again = await build();
    // Stages run in parallel: their lines come in any order.
    expect(cachedSteps(again.log).sort()).toEqual([
      '[files 1/1] COPY --from=one /a.txt /f',
      '[one 2/2] COPY a.txt /a.txt',
      '[stage-3 2/4] COPY --from=empty / /e/',
      '[stage-3 3/4] COPY --from=files /f /f',
      '[stage-3 4/4] COPY --from=busybox /bin/busybox /bb',
    ]);

    await writeFile(
      path.join(dir, 'Dockerfile'),
      'FROM busybox AS one\nRUN true\nFROM busybox\nCOPY --from=one /nope /x\n',
    );
    const missing = await buildIn(store, dir);
    expect(missing.error?.message).toBe(
      'failed to compute cache key: failed to calculate checksum of ref stage::0: "/nope": not found',
    );
    expect((missing.error as BuildError).details.line).toBe(4);
  }, 180_000);
});
