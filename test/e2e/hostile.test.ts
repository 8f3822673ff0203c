// Hostile inputs: symlinks planted in the image or the context, `..` in sources, archives whose
// entries climb out or write through links. After every case a marker directory outside the
// rootfs and the store must be exactly as it was; the build either fails clearly or keeps the
// write inside the image, as BuildKit does.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { tarBytes } from './conformance/materialize.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('hostile inputs', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let marker: string;

  beforeAll(async () => {
    store = await storeWithBusybox();
    marker = await freshDir('mk');
    await writeFile(path.join(marker, 'keep'), 'untouched\n');
  });

  afterEach(async () => {
    expect(await readdir(marker)).toEqual(['keep']);
    expect(await readFile(path.join(marker, 'keep'), 'utf8')).toBe('untouched\n');
  });

  async function buildWith(dockerfile: string, extra: Parameters<typeof writeContext>[1] = []) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'f', content: 'payload\n' },
      ...extra,
    ]);
    return buildIn(store, ctx);
  }

  async function rootOf(run: Awaited<ReturnType<typeof buildWith>>): Promise<string> {
    if (run.error) throw run.error;
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    return out;
  }

  it('COPY through an absolute symlink in the image lands inside the rootfs', async () => {
    const run = await buildWith(`FROM busybox\nRUN ln -s ${marker} /link\nCOPY f /link/\n`);
    const root = await rootOf(run);
    expect(await readFile(path.join(root, marker, 'f'), 'utf8')).toBe('payload\n');
  });

  it('COPY through a relative symlink climbing above / stays inside the rootfs', async () => {
    const run = await buildWith(`FROM busybox\nRUN ln -s ../../../../../../../..${marker} /up\nCOPY f /up/f\n`);
    const root = await rootOf(run);
    expect(await readFile(path.join(root, marker, 'f'), 'utf8')).toBe('payload\n');
  });

  it('WORKDIR through a symlink creates the directory inside the rootfs', async () => {
    const run = await buildWith(`FROM busybox\nRUN ln -s ${marker} /w\nWORKDIR /w/sub\nRUN pwd\n`);
    const root = await rootOf(run);
    expect((await readdir(path.join(root, marker))).sort()).toEqual(['sub']);
  });

  it('.. in a COPY source stays inside the context', async () => {
    const run = await buildWith('FROM busybox\nCOPY ../../../../etc/passwd /x\n');
    expect(run.error?.message).toBe(
      'failed to compute cache key: failed to calculate checksum of ref local::context: "/etc/passwd": not found',
    );
  });

  it('a context symlink pointing out of the context is resolved inside it', async () => {
    const run = await buildWith('FROM busybox\nCOPY out/keep /x\n', [{ path: 'out', type: 'symlink', target: marker }]);
    expect(run.error?.message).toMatch(/not found/);
  });

  it('ADD of an archive with a .. entry fails and creates nothing outside', async () => {
    const tar = await tarBytes(
      [{ name: `../../../../../../../..${marker}/evil`, type: 'file', content: 'x', mode: '0644' }],
      false,
    );
    const run = await buildWith('FROM busybox\nADD t.tar /dest/\n', [{ path: 't.tar', content: tar }]);
    expect(run.error?.message).toMatch(/outside of the extraction root/);
  });

  it('ADD of an archive writing through its own symlink stays inside the destination', async () => {
    const tar = await tarBytes(
      [
        { name: 'l', type: 'symlink', linkname: marker, mode: '0777' },
        { name: 'l/pwned', type: 'file', content: 'x', mode: '0644' },
      ],
      false,
    );
    const run = await buildWith('FROM busybox\nADD t.tar /dest/\n', [{ path: 't.tar', content: tar }]);
    const root = await rootOf(run);
    expect(await readFile(path.join(root, 'dest', marker, 'pwned'), 'utf8')).toBe('x');
  });

  it('ADD of an archive hard-linking outside fails', async () => {
    const tar = await tarBytes(
      [{ name: 'h', type: 'hardlink', linkname: `../../../../../..${marker}/keep`, mode: '0644' }],
      false,
    );
    const run = await buildWith('FROM busybox\nADD t.tar /dest/\n', [{ path: 't.tar', content: tar }]);
    expect(run.error?.message).toMatch(/outside of the extraction root/);
  });

  it('a bind mount source cannot climb out of the context', async () => {
    const run = await buildWith(
      `FROM busybox\nRUN --mount=type=bind,source=../../../..${marker},target=/m ls /m > /listing\n`,
    );
    // Resolved inside the context: the path does not exist there.
    expect(run.error?.message).toMatch(/not found/);
  });
});
