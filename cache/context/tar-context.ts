// A build context from a tar stream (`tsbuild build - < ctx.tar`, possibly gzip/zstd): unpacked
// safely into a directory, then snapshotted. The archive is untrusted: no entry may land outside
// the destination, and nothing is ever written through a symlink.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { decompressedStream, readTar } from '../../image/index.js';
import { cleanPath } from './go-path.js';
import type { ContextSnapshot } from './snapshot.js';
import { type SnapshotOptions, snapshotContext } from './snapshot-context.js';

export class UnsafeTarError extends Error {
  readonly code = 'ERR_UNSAFE_TAR';
  constructor(entry: string, reason: string) {
    super(`build context tar entry ${JSON.stringify(entry)}: ${reason}`);
    this.name = 'UnsafeTarError';
  }
}

export interface UnpackResult {
  /** Entries that cannot be created without privileges or native code (devices, fifos). */
  readonly skipped: readonly string[];
}

/** Go's `filepath.Join(dest, name)` relative part; throws when it would leave `dest`. */
function safeRelative(name: string): string {
  const rel = cleanPath(name.replace(/^\/+/, ''));
  if (rel === '..' || rel.startsWith('../')) throw new UnsafeTarError(name, 'path escapes the context');
  return rel === '.' ? '' : rel;
}

class SafeWriter {
  private readonly realDirs = new Set<string>(['']);
  private readonly dirModes: [string, number][] = [];

  constructor(private readonly dest: string) {}

  /** Makes sure every parent of `rel` is a real directory inside dest (never a symlink). */
  async ensureParents(rel: string, name: string): Promise<void> {
    const parts = rel.split('/');
    let current = '';
    for (let i = 0; i < parts.length - 1; i++) {
      current = current === '' ? parts[i] : `${current}/${parts[i]}`;
      if (this.realDirs.has(current)) continue;
      const abs = path.join(this.dest, current);
      const st = await fsp.lstat(abs).catch(() => undefined);
      if (!st) await fsp.mkdir(abs, { mode: 0o755 });
      else if (!st.isDirectory())
        throw new UnsafeTarError(name, `parent ${JSON.stringify(current)} is not a directory`);
      this.realDirs.add(current);
    }
  }

  /** Removes what is at `rel` (a later tar entry replaces an earlier one); true if a kept directory. */
  async clear(rel: string, keepDir: boolean): Promise<boolean> {
    const abs = path.join(this.dest, rel);
    const st = await fsp.lstat(abs).catch(() => undefined);
    if (!st) return false;
    if (st.isDirectory()) {
      if (keepDir) return true;
      await fsp.rm(abs, { recursive: true, force: true });
    } else await fsp.unlink(abs);
    // Whatever replaces it may be a symlink: forget that these were verified directories.
    for (const d of this.realDirs) if (d === rel || d.startsWith(rel + '/')) this.realDirs.delete(d);
    return false;
  }

  noteDir(rel: string, mode: number): void {
    this.realDirs.add(rel);
    this.dirModes.push([rel, mode]);
  }

  /** Directory modes last, deepest first, so read-only directories do not block extraction. */
  async finish(): Promise<void> {
    for (const [rel, mode] of this.dirModes.reverse()) await fsp.chmod(path.join(this.dest, rel), mode);
  }
}

/** Unpacks a (possibly compressed) context tar into `dest`, which must be missing or empty. */
export async function unpackContextTar(stream: AsyncIterable<Uint8Array>, dest: string): Promise<UnpackResult> {
  await fsp.mkdir(dest, { recursive: true });
  // Existing content (say, a planted symlink) would defeat the checks below.
  if ((await fsp.readdir(dest)).length > 0) throw new Error(`${dest}: the context directory must be empty`);
  const writer = new SafeWriter(dest);
  const skipped: string[] = [];
  for await (const entry of readTar(await decompressedStream(stream))) {
    const { header, rawName } = entry;
    const rel = safeRelative(rawName);
    if (rel === '') {
      if (header.type === 'directory') writer.noteDir('', header.mode);
      continue;
    }
    await writer.ensureParents(rel, rawName);
    const abs = path.join(dest, rel);
    const keptDir = await writer.clear(rel, header.type === 'directory');
    const mtime = new Date(header.mtime * 1000);
    switch (header.type) {
      case 'directory':
        if (!keptDir) await fsp.mkdir(abs, { mode: 0o700 });
        writer.noteDir(rel, header.mode);
        break;
      case 'file': {
        // 'wx' = O_CREAT|O_EXCL: never opens an existing file or follows a symlink.
        const fh = await fsp.open(abs, 'wx', 0o600);
        try {
          for await (const chunk of entry.body()) await fh.write(chunk);
          await fh.chmod(header.mode);
        } finally {
          await fh.close();
        }
        await fsp.utimes(abs, mtime, mtime);
        break;
      }
      case 'symlink':
        // Kept verbatim: snapshots resolve links inside the context and never follow them out.
        await fsp.symlink(header.linkname ?? '', abs);
        await fsp.lutimes(abs, mtime, mtime);
        break;
      case 'hardlink': {
        const targetRel = safeRelative(header.linkname ?? '');
        await writer.ensureParents(targetRel, rawName);
        const target = path.join(dest, targetRel);
        const st = await fsp.lstat(target).catch(() => undefined);
        if (!st?.isFile()) throw new UnsafeTarError(rawName, 'hard link target is not a regular file in the archive');
        await fsp.link(target, abs);
        break;
      }
      default:
        skipped.push(rel);
    }
  }
  await writer.finish();
  return { skipped };
}

/** Unpacks a context tar into `dest`, then snapshots it (see `snapshotContext` for the options). */
export async function snapshotContextFromTar(
  stream: AsyncIterable<Uint8Array>,
  dest: string,
  opts: SnapshotOptions = {},
): Promise<ContextSnapshot> {
  await unpackContextTar(stream, dest);
  return snapshotContext(dest, opts);
}
