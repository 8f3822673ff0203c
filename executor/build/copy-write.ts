// Writes COPY/ADD items into a root filesystem without ever leaving it: every parent path is
// resolved inside the root (symlinks interpreted as if the root were `/`), the last component is
// never followed (an existing entry is replaced, not written through), and files are created with
// O_EXCL | O_NOFOLLOW.
import { constants } from 'node:fs';
import { chmod, copyFile, lchown, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { BreakoutError, isInside, resolveInRoot } from '../../image/index.js';
import type { ModeChange } from './chmod.js';
import type { CopyGroup, CopyItem } from './copy-items.js';
import { JobWindow } from './job-window.js';

export interface WriteOptions {
  /** `--chown`, resolved; otherwise each item keeps its owner. */
  readonly owner: { readonly uid: number; readonly gid: number } | null;
  readonly chmod: ModeChange | null;
  /** SOURCE_DATE_EPOCH: every written entry gets this mtime. */
  readonly epoch: number | null;
  /** Time for directories the copy has to create. */
  readonly now: number;
}

/** Directories resolved so far (relative path → absolute), and those this copy created. */
type KnownDirs = Map<string, string> & { readonly fresh: Set<string> };

/** The parent of a path relative to the root ('' for the root and what is right below it). */
function parentRel(rel: string): string {
  const parent = path.posix.dirname(rel);
  return parent === '.' ? '' : parent;
}

/** Container path → path relative to the root ('' = the root). */
export function relOf(containerPath: string): string {
  return path.posix.normalize(`/${containerPath}`).replace(/^\/+|\/+$/g, '');
}

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function inside(root: string, p: string, name: string): string {
  if (!isInside(root, p)) throw new BreakoutError(`${JSON.stringify(name)} is outside of the root filesystem`);
  return p;
}

/** A path inside the root as the image sees it: `/etc/passwd`. */
function shown(root: string, p: string): string {
  return `/${path.relative(root, p)}`;
}

/**
 * BuildKit's words for a `mkdir -p` that meets a non-directory at `found` (resolved): fsutil's MkdirAll fails on
 * it as the last component (`mkdir /a: not a directory`), continuity's RootPath on the component after it
 * (`lstat /a/b: not a directory`); the file operation trims the root from these paths.
 */
function notADirectory(root: string, found: string, next: string | undefined): string {
  const at = shown(root, found);
  return next === undefined ? `mkdir ${at}: not a directory` : `lstat ${path.posix.join(at, next)}: not a directory`;
}

/** `mkdir -p` inside the root; created directories get `mode`, the owner and `mtime`. */
export async function mkdirInRoot(
  root: string,
  rel: string,
  meta: { mode: number; uid: number; gid: number; mtime: number },
  known?: Map<string, string>,
): Promise<string> {
  const cached = known?.get(rel);
  if (cached !== undefined) return cached;
  const parts = rel.split('/').filter((p) => p !== '');
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    current = inside(root, await resolveInRoot(root, parts.slice(0, i + 1).join('/'), true), rel);
    const st = await lstatOrNull(current);
    if (st?.isDirectory()) continue;
    if (st !== null) throw new Error(notADirectory(root, current, parts[i + 1]));
    // A dangling symlink resolves to a path whose parents may be missing too: create them all.
    await createDirs(root, current, meta, (known as Partial<KnownDirs> | undefined)?.fresh);
  }
  known?.set(rel, current);
  return current;
}

/** Creates `target` (resolved, inside the root) and its missing parents, each with `meta`. */
async function createDirs(
  root: string,
  target: string,
  meta: { mode: number; uid: number; gid: number; mtime: number },
  fresh: Set<string> | undefined,
): Promise<void> {
  const missing: string[] = [];
  for (let dir = target; dir !== root && (await lstatOrNull(dir)) === null; dir = path.dirname(dir))
    missing.unshift(dir);
  for (const dir of missing) {
    await mkdir(dir);
    await lchown(dir, meta.uid, meta.gid);
    await chmod(dir, meta.mode);
    await utimes(dir, meta.mtime, meta.mtime);
    fresh?.add(dir);
  }
}

/**
 * Where a group goes: the destination itself for a single file (unless it is a directory), else into it. The
 * destination is resolved as fsutil's Copy resolves it (continuity's RootPath): a symlink there is followed, inside
 * the root, and the file it leads to is replaced, not the link.
 */
async function baseFor(root: string, dest: string, group: CopyGroup): Promise<{ dir: string; fileTarget?: string }> {
  const rel = relOf(dest);
  if (group.single && !dest.endsWith('/') && rel !== '') {
    const resolved = inside(root, await resolveInRoot(root, rel, true), dest);
    const st = await lstatOrNull(resolved);
    if (!st?.isDirectory()) {
      const target = path.relative(root, resolved).split(path.sep).join('/');
      return { dir: parentRel(target), fileTarget: path.posix.basename(target) };
    }
  }
  return { dir: rel };
}

export async function writeGroup(root: string, dest: string, group: CopyGroup, options: WriteOptions): Promise<void> {
  // A wildcard that matched nothing copies nothing, not even the destination (BuildKit's AllowEmptyWildcard).
  if (group.unmatched === true) return;
  const createdMode = options.chmod?.(0o755, true) ?? 0o755;
  const owner = options.owner ?? { uid: 0, gid: 0 };
  const dirMeta = { mode: createdMode, ...owner, mtime: options.epoch ?? options.now };
  const known: KnownDirs = Object.assign(new Map<string, string>(), { fresh: new Set<string>() });
  // As fsutil's Copy: `mkdir -p` of the destination up to its last `/` first, then the destination itself, which
  // what is copied into must find a directory (or nothing).
  const rel = relOf(dest);
  const ensured = dest.endsWith('/') || rel === '' ? rel : parentRel(rel);
  await mkdirInRoot(root, ensured, dirMeta, known);
  const base = await baseFor(root, dest, group);
  if (base.dir !== ensured) {
    const resolved = inside(root, await resolveInRoot(root, base.dir, true), dest);
    const st = await lstatOrNull(resolved);
    if (st !== null && !st.isDirectory()) throw new Error(`cannot copy to non-directory: ${shown(root, resolved)}`);
  }
  await mkdirInRoot(root, base.dir, dirMeta, known);
  const dirs: { target: string; item: CopyItem }[] = [];
  // Directories are created in order (parents first); files are written concurrently behind them.
  const files = new JobWindow();
  for (const item of group.items) {
    // The source directory itself: BuildKit creates the destination with defaults and never
    // changes an existing one.
    if (item.to === '' && item.type === 'dir') continue;
    const joined =
      base.fileTarget !== undefined ? path.posix.join(base.dir, base.fileTarget) : path.posix.join(base.dir, item.to);
    const rel = joined === '.' ? '' : joined;
    if (item.type !== 'dir') {
      files.add(writeItem(root, rel, item, options, known));
      await files.settle(32);
      continue;
    }
    await files.settle(0);
    const target = await writeItem(root, rel, item, options, known);
    known.set(rel, target);
    if (target !== root) dirs.push({ target, item });
  }
  await files.settle(0);
  // Directory times and modes last: writing children changes a directory's mtime.
  for (const { target, item } of dirs.reverse()) await applyMeta(target, item, options);
}

async function writeItem(
  root: string,
  rel: string,
  item: CopyItem,
  options: WriteOptions,
  known: KnownDirs,
): Promise<string> {
  const owner = options.owner ?? { uid: 0, gid: 0 };
  const meta = { mode: options.chmod?.(0o755, true) ?? 0o755, ...owner, mtime: options.epoch ?? options.now };
  const parent = await mkdirInRoot(root, parentRel(rel), meta, known);
  const target = rel === '' ? root : inside(root, path.join(parent, path.posix.basename(rel)), rel);
  // Nothing can exist yet inside a directory this copy created.
  const existing = known.fresh.has(parent) ? null : await lstatOrNull(target);
  // What exists is never replaced by another kind (fsutil's copy fails, in these words); a file or a symlink
  // in the way of a file is.
  if (item.type === 'dir') {
    if (existing !== null && !existing.isDirectory())
      throw new Error(`cannot copy to non-directory: ${shown(root, target)}`);
    if (existing === null) {
      await mkdir(target, { mode: 0o700 });
      known.fresh.add(target);
    }
    return target;
  }
  if (existing?.isDirectory()) throw new Error(`cannot replace to directory ${shown(root, target)} with file`);
  if (existing !== null) await rm(target, { force: true });
  if (item.type === 'symlink') await symlink(item.linkTarget ?? '', target);
  else await writeFileContent(target, item);
  await applyMeta(target, item, options);
  return target;
}

/**
 * The target never exists here (it was removed, or its directory is new), and COPYFILE_EXCL creates
 * it with O_EXCL, which never follows a symlink: nothing is written outside the root. The kernel
 * copies the content, and the copy gets its source's mode.
 */
async function writeFileContent(target: string, item: CopyItem): Promise<void> {
  if (item.sourcePath !== undefined) {
    await copyFile(item.sourcePath, target, constants.COPYFILE_EXCL);
    return;
  }
  const out = await open(
    target,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await out.writeFile(item.content ?? new Uint8Array(0));
  } finally {
    await out.close();
  }
}

const rootProcess = process.getuid?.() === 0 && process.getgid?.() === 0;

async function applyMeta(target: string, item: CopyItem, options: WriteOptions): Promise<void> {
  const owner = options.owner ?? { uid: item.uid, gid: item.gid };
  // What root creates is owned 0:0 already; copyFile gives the copy its source's mode.
  if (!(rootProcess && owner.uid === 0 && owner.gid === 0)) await lchown(target, owner.uid, owner.gid);
  const copiedMode = item.type === 'file' && item.sourcePath !== undefined && options.chmod === null;
  if (item.type !== 'symlink' && !copiedMode) {
    await chmod(target, options.chmod?.(item.mode, item.type === 'dir') ?? item.mode);
  }
  const mtime = options.epoch ?? item.mtime;
  await lutimes(target, mtime, mtime);
}
