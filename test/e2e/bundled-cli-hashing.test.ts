// COPY through the CLI as it ships (dist/bin, minified; `npm run build` first) when the context's files are hashed
// in worker threads: past the first 4 MB or 256 files, the hash pool takes over. Before the fix of hash-file.ts's
// worker text, both builds failed with `cannot read "…" from the build context: We is not defined`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import {
  bundledCli,
  bundledCliUnavailable,
  freshDir,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

/** `tsbuild build -q -o type=local,dest=OUT CONTEXT`; the exit status, stderr and OUT. */
async function buildToDir(
  store: Store,
  context: string,
): Promise<{ code: number | null; stderr: string; out: string }> {
  const out = await freshDir('o');
  const ran = spawnSync(process.execPath, [bundledCli, 'build', '-q', '-o', `type=local,dest=${out}`, context], {
    env: { ...process.env, TSBUILD_ROOT: store.root },
    encoding: 'utf8',
  });
  return { code: ran.status, stderr: ran.stderr, out };
}

describe.skipIf(bundledCliUnavailable() !== undefined)(
  'COPY through the compiled CLI, hashed in worker threads',
  () => {
    afterAll(removeFreshDirs);
    let store: Store;
    beforeAll(async () => {
      store = await storeWithBusybox();
    });

    it('copies a 6 MB file', async () => {
      const ctx = await freshDir('c');
      const big = randomBytes(6 << 20);
      await writeContext(ctx, [
        { path: 'Dockerfile', content: 'FROM busybox\nCOPY big.bin /big.bin\n' },
        { path: 'big.bin', content: big },
      ]);
      const built = await buildToDir(store, ctx);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      expect((await readFile(path.join(built.out, 'big.bin'))).equals(big)).toBe(true);
    });

    it('copies 300 files a wildcard selects', async () => {
      const ctx = await freshDir('c');
      const files = Array.from({ length: 300 }, (_, i) => ({ path: `f${i}.txt`, content: `file ${i}\n` }));
      await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\nCOPY f* /d/\n' }, ...files]);
      const built = await buildToDir(store, ctx);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      expect((await readdir(path.join(built.out, 'd'))).length).toBe(300);
      expect(await readFile(path.join(built.out, 'd', 'f299.txt'), 'utf8')).toBe('file 299\n');
    });
  },
);
