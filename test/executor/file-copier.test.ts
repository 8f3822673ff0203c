// A large direct copy's directories and small files are made by the file copier's thread (executor/build/file-copier.ts):
// the snapshot and the tar must be exactly what the writes on the main thread make (contents, modes, owners, times,
// symlinks and files of given content between them), a source that grew past the limit is streamed, and a failure
// is the error fs gives, for the right file, with nothing created after the copier stopped.
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DirectEntry, writeDirect } from '../../executor/build/direct-write.js';
import { startFileCopier } from '../../executor/build/file-copier.js';
import type { TarEntry } from '../../image/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-file-copier-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

/** `count` small context files in two directories, a symlink and a file of given content between them. */
async function contextEntries(count: number): Promise<DirectEntry[]> {
  const source = path.join(dir, 'ctx');
  await mkdir(source);
  const entries: DirectEntry[] = [{ path: 'app', type: 'dir', mode: 0o755, uid, gid, mtime: 1_600_000_000 }];
  for (const sub of ['a', 'b']) {
    entries.push({ path: `app/${sub}`, type: 'dir', mode: 0o750, uid, gid, mtime: 1_600_000_001 });
    for (let i = 0; i < count / 2; i++) {
      const name = `f${String(i).padStart(4, '0')}`;
      const file = path.join(source, `${sub}-${name}`);
      await writeFile(file, `${sub} ${i}\n`.repeat(i % 7));
      // Odd modes (setgid, no write), other owners (as root: --chown) and fractional times, as COPY makes them.
      const mode = i % 3 === 0 ? 0o2755 : i % 3 === 1 ? 0o444 : 0o640;
      const owner = uid === 0 && i % 4 === 0 ? { uid: 1000 + i, gid: 2000 } : { uid, gid };
      entries.push({
        path: `app/${sub}/${name}`,
        type: 'file',
        mode,
        ...owner,
        mtime: 1_700_000_000.5 + i,
        sourcePath: file,
      });
    }
    entries.push({
      path: `app/${sub}/given`,
      type: 'file',
      mode: 0o600,
      uid,
      gid,
      mtime: 1_650_000_000,
      content: Buffer.from('given\n'),
    });
    entries.push({
      path: `app/${sub}/link`,
      type: 'symlink',
      mode: 0o777,
      uid,
      gid,
      mtime: 1_650_000_000,
      linkTarget: 'f0001',
    });
  }
  return entries.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** Every entry writeDirect yields, with its content read. */
async function written(root: string, entries: readonly DirectEntry[]): Promise<{ entry: TarEntry; bytes: string }[]> {
  await mkdir(root);
  const out: { entry: TarEntry; bytes: string }[] = [];
  for await (const entry of writeDirect(root, entries, null)) {
    const chunks: Uint8Array[] = [];
    if (entry.content instanceof Uint8Array) chunks.push(entry.content);
    else if (typeof entry.content === 'function') for await (const chunk of entry.content()) chunks.push(chunk);
    out.push({ entry: { ...entry, content: undefined }, bytes: Buffer.concat(chunks).toString() });
  }
  return out;
}

/** Path, type, mode, times, size, link target and content of everything under `root`. */
async function tree(root: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const file = path.join(root, name);
    const st = await lstat(file);
    const what = st.isSymbolicLink()
      ? `-> ${await readlink(file)}`
      : st.isDirectory()
        ? 'dir'
        : JSON.stringify(await readFile(file, 'utf8'));
    const times = st.isSymbolicLink() ? '' : ` ${st.mtimeMs}`;
    lines.push(`${name} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}${times} ${what}`);
  }
  return lines;
}

describe('the file copier in a direct copy', () => {
  it('writes the snapshot and the tar exactly as the main thread does', async () => {
    const many = await contextEntries(600);
    // The same entries, a few at a time (below the copier's threshold of 512 files: written on the main thread).
    const few = many.filter(
      (entry) => entry.type !== 'file' || entry.sourcePath === undefined || /f000[0-9]$/.test(entry.path),
    );
    const copiedOut = await written(path.join(dir, 'many'), many);
    const plainOut = await written(path.join(dir, 'few'), few);
    const byPath = new Map(copiedOut.map((item) => [item.entry.path, item]));
    expect(plainOut.length).toBe(few.length);
    for (const item of plainOut) expect(byPath.get(item.entry.path)).toEqual(item);
    expect(copiedOut.map((item) => item.entry.path)).toEqual(many.map((entry) => entry.path));
    expect(copiedOut.find((item) => item.entry.path === 'app/b/f0013')?.bytes).toBe('b 13\n'.repeat(6));

    const manyTree = await tree(path.join(dir, 'many'));
    const fewNames = new Set(few.map((entry) => entry.path));
    expect(manyTree.filter((line) => fewNames.has(line.split(' ')[0]))).toEqual(await tree(path.join(dir, 'few')));
    expect(manyTree).toContain(`app/a/f0003 2755 ${uid}:${gid} 1700000003500 "a 3\\na 3\\na 3\\n"`);
    if (uid === 0) {
      // Owner before mode: a chown after the chmod would have cleared the setgid bit.
      expect(manyTree).toContain('app/b/f0000 2755 1000:2000 1700000000500 ""');
      expect(manyTree).toContain('app/a/f0004 444 1004:2000 1700000004500 "a 4\\na 4\\na 4\\na 4\\n"');
    }
  });

  it('streams a source that grew past the limit since the walk', async () => {
    const entries = await contextEntries(600);
    const grown = entries.find((entry) => entry.path === 'app/a/f0100');
    await writeFile(grown?.sourcePath as string, Buffer.alloc(3 << 20, 0x61));
    const out = await written(path.join(dir, 'root'), entries);
    expect(out.find((item) => item.entry.path === 'app/a/f0100')?.bytes.length).toBe(3 << 20);
    expect((await readFile(path.join(dir, 'root/app/a/f0100'))).length).toBe(3 << 20);
  });

  it('fails with the error of the file that could not be read: a source swapped for a symlink is not followed', async () => {
    const entries = await contextEntries(600);
    const swapped = entries.find((entry) => entry.path === 'app/b/f0042')?.sourcePath as string;
    await rm(swapped);
    await symlink('/etc/passwd', swapped);
    await expect(written(path.join(dir, 'root'), entries)).rejects.toThrow(
      `ELOOP: too many symbolic links encountered, open '${swapped}'`,
    );
  });
});

describe('startFileCopier', () => {
  it('answers each job in order; after a failure the rest of its batch fails with it, and stop leaves nothing behind', async () => {
    const source = path.join(dir, 'src');
    await writeFile(source, 'content');
    const root = path.join(dir, 'root');
    await mkdir(root);
    const copier = startFileCopier({ limit: 1 << 20 });
    const meta = { createMode: 0o644, chown: null, chmod: null, mtime: 1_700_000_000 };
    const made = copier.copy({ dir: path.join(root, 'd') });
    const ok = copier.copy({ source, target: path.join(root, 'd/ok'), ...meta });
    const missing = copier.copy({ source: path.join(dir, 'absent'), target: path.join(root, 'd/missing'), ...meta });
    const after = copier.copy({ source, target: path.join(root, 'd/after'), ...meta });
    expect(copier.queued).toBe(4);
    expect(copier.sent).toBe(0);
    copier.flush();
    expect(copier.sent).toBe(4);
    expect(await made).toBe('dir');
    expect(Buffer.from((await ok) as Uint8Array).toString()).toBe('content');
    const failure = await missing.catch((error: NodeJS.ErrnoException) => error);
    expect(failure).toMatchObject({ code: 'ENOENT', syscall: 'open', path: path.join(dir, 'absent') });
    await expect(after).rejects.toThrow(`ENOENT: no such file or directory, open '${path.join(dir, 'absent')}'`);
    const queuedAtStop = copier.copy({ source, target: path.join(root, 'd/late'), ...meta }).catch((error) => error);
    await copier.stop();
    expect(await queuedAtStop).toMatchObject({ message: 'file copier stopped', code: 'E_FILE_COPIER' });
    await expect(copier.copy({ source, target: path.join(root, 'd/later'), ...meta })).rejects.toThrow(
      'file copier stopped',
    );
    expect((await readdir(path.join(root, 'd'))).sort()).toEqual(['ok']);
  });
});
