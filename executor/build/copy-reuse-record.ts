// What the last direct copy of a COPY wrote, so that the next one, whose cache key missed because a few files
// changed, can take the unchanged files from it (copy-reuse.ts): its layer, the identity of the snapshot
// directory it wrote, and for every file the metadata it was given and the context digest of its content.
// One text file per (context, destination, sources) under `<store>/cache/direct-copy/`, replaced atomically: a
// JSON line, then one line per file: `mode uid gid mtime size digest path` separated by tabs (the path last,
// so it may hold tabs; paths with line breaks are left out, which only means they are never reused).
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileUnsynced, type Store } from '../../image/index.js';
import { type LayerRef, snapshotId } from './layer-ref.js';
import { type SnapshotIdentity, sameSnapshot, snapshotIdentity } from './snapshot-identity.js';

/** A file of a direct copy: the metadata it gets in the layer and the snapshot, and its context digest. */
export interface CopiedFile {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds, fractional, exactly as the snapshot's file was given them. */
  readonly mtime: number;
  readonly size: number;
  /** The build context's digest of the source (content and header). */
  readonly digest: string;
}

export interface CopyRecord {
  readonly layer: LayerRef;
  readonly snapshot: SnapshotIdentity;
  readonly files: ReadonlyMap<string, CopiedFile>;
}

interface RecordHead {
  readonly version: 1;
  readonly layer: LayerRef;
  readonly snapshot: SnapshotIdentity;
}

/** The record's name: which copy of which context it describes (not its content, which changes). */
export function copyRecordKey(contextRoot: string, dest: string, sources: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([contextRoot, dest, sources]))
    .digest('hex');
}

function fileFor(store: Store, key: string): string {
  return path.join(store.paths.cache, 'direct-copy', `${key}.txt`);
}

export function sameFile(a: CopiedFile, b: CopiedFile): boolean {
  return (
    a.digest === b.digest &&
    a.size === b.size &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.mtime === b.mtime
  );
}

export async function writeCopyRecord(store: Store, key: string, record: CopyRecord): Promise<void> {
  const head: RecordHead = { version: 1, layer: record.layer, snapshot: record.snapshot };
  const lines = [JSON.stringify(head)];
  for (const [name, f] of record.files) {
    if (/[\n\r]/.test(name)) continue;
    lines.push(`${f.mode}\t${f.uid}\t${f.gid}\t${f.mtime}\t${f.size}\t${f.digest}\t${name}`);
  }
  const file = fileFor(store, key);
  // Once the layer's blob is durable (it may be in flight: the copy's step goes on meanwhile).
  await store.whenDurable([record.layer.digest], async () => {
    await mkdir(path.dirname(file), { recursive: true });
    // Not fsynced: a torn record fails to parse or to match its layer, and the copy is then made in full.
    await replaceFileUnsynced(file, `${lines.join('\n')}\n`);
  });
}

/** The record under `key`, or null when there is none or it cannot be read as one. */
export async function readCopyRecord(store: Store, key: string): Promise<CopyRecord | null> {
  const text = await readFile(fileFor(store, key), 'utf8').catch(() => null);
  if (text === null || !text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  try {
    const head = JSON.parse(lines[0]) as RecordHead;
    if (head.version !== 1 || typeof head.layer?.diffId !== 'string' || typeof head.snapshot?.ino !== 'string') {
      return null;
    }
    const files = new Map<string, CopiedFile>();
    for (let i = 1; i < lines.length; i++) {
      const fields = lines[i].split('\t');
      if (fields.length < 7) return null;
      const [mode, uid, gid, mtime, size] = fields.slice(0, 5).map(Number);
      if (![mode, uid, gid, mtime, size].every(Number.isFinite)) return null;
      files.set(fields.slice(6).join('\t'), { mode, uid, gid, mtime, size, digest: fields[5] });
    }
    return { layer: head.layer, snapshot: head.snapshot, files };
  } catch {
    return null;
  }
}

/**
 * Removes the records whose snapshot is gone or is another directory now (prune): copy-reuse could never use them
 * again. Returns how many. Records are advisory, so removing one only means a later copy is made in full.
 */
export async function pruneCopyRecords(store: Store): Promise<number> {
  const dir = path.join(store.paths.cache, 'direct-copy');
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{64}\.txt$/.test(name)) continue; // temp files: the store's prune sweeps those of dead processes
    const file = path.join(dir, name);
    const head = await readHead(file);
    const current =
      head === null ? null : await snapshotIdentity(path.join(store.paths.snapshots, snapshotId(head.layer)));
    if (head !== null && current !== null && sameSnapshot(current, head.snapshot)) continue;
    await unlink(file).catch(() => {});
    removed++;
  }
  return removed;
}

/** The JSON head line of a record file (its first line; records can be megabytes long). */
async function readHead(file: string): Promise<RecordHead | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return null;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    if (end < 0) return null;
    const head = JSON.parse(text.slice(0, end)) as RecordHead;
    return head.version === 1 && typeof head.layer?.diffId === 'string' && typeof head.snapshot?.ino === 'string'
      ? head
      : null;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
