// COPY and ADD in a step's writable root: sources from the context, a stage or an image (read
// through a read-only view of its layers), heredocs and URLs; `--chown` names resolved in the
// destination image; local archives unpacked by ADD.
import { snapshotContext } from '../../cache/index.js';
import { isInside } from '../../image/index.js';
import type { StepOperation } from '../../planner/index.js';
import { type ArchiveKind, detectArchive, unpackArchive } from './archive.js';
import { parseChmod } from './chmod.js';
import { planDirectCopy, planDirectMkdir, writeDirect } from './copy-direct.js';
import { type CopyGroup, type CopyItem, inlineGroup, selectGroups } from './copy-items.js';
import { runDirectCopy } from './copy-reuse.js';
import { mkdirInRoot, relOf, type WriteOptions, writeGroup } from './copy-write.js';
import { download } from './download.js';
import { runDirectStep, runFsStep, type StepWorkspace, withReadView } from './fs-step.js';
import type { FsState, LayerRef } from './layer-ref.js';
import type { StepEnv } from './step-env.js';
import { resolveFileOwner } from './users.js';

type CopyOperation = Extract<StepOperation, { type: 'copy' }>;

/** A COPY/ADD step on `fs`: written directly into a new snapshot when it can be (copy-direct.ts), else in an overlay. */
export async function copyStep(env: StepEnv, op: CopyOperation, fs: FsState, epoch: number | null): Promise<LayerRef> {
  const direct = await planDirectCopy(env, op, fs);
  if (direct !== null) return runDirectCopy(env, op, direct, epoch);
  return runFsStep(env.store, fs, { epoch }, (ws) => performCopy(env, op, ws));
}

const isUrl = (s: string): boolean => /^https?:\/\//.test(s);

export async function performCopy(env: StepEnv, op: CopyOperation, ws: StepWorkspace): Promise<void> {
  const options: WriteOptions = {
    owner: op.chown === null || op.chown === '' ? null : await resolveFileOwner(ws.root, op.chown),
    chmod: op.chmod === null ? null : parseChmod(op.chmod),
    epoch: op.epoch,
    now: env.now,
  };
  const write = (groups: readonly CopyGroup[]) => writeGroups(ws.root, op, groups, options);
  await write(op.inline.map((doc) => inlineGroup(doc.name, doc.content, env.now)));
  const urls = op.sources.filter(isUrl);
  const paths = op.sources.filter((s) => !isUrl(s));
  for (const url of urls) await write([await download(url, op.checksum, ws.scratch, env.now)]);
  if (paths.length === 0) return;
  const selection = { excludes: op.excludes, parents: op.parents };
  if (op.from.type === 'context') {
    await write(await selectGroups({ snapshot: env.context, keepOwners: false, checksums: true }, paths, selection));
    return;
  }
  const fs = op.from.type === 'stage' ? await env.stageFs(op.from.index) : await env.imageFs(op.from.ref);
  await withReadView(env.store, fs, async (viewRoot) => {
    const snapshot = await snapshotContext(viewRoot, { ignoreFile: null, resetOwner: false });
    await write(await selectGroups({ snapshot, keepOwners: true, checksums: false }, paths, selection));
  });
}

async function writeGroups(
  root: string,
  op: CopyOperation,
  groups: readonly CopyGroup[],
  options: WriteOptions,
): Promise<void> {
  for (const group of groups) {
    const archives = op.add ? await archivesOf(op, group) : new Map<CopyItem, ArchiveKind>();
    const plain = group.items.filter((item) => !archives.has(item));
    if (plain.length > 0 || archives.size === 0) await writeGroup(root, op.dest, { ...group, items: plain }, options);
    for (const [item, kind] of archives) {
      const owner = options.owner ?? { uid: 0, gid: 0 };
      const dir = await mkdirInRoot(root, relOf(op.dest), {
        mode: 0o755,
        ...owner,
        mtime: options.epoch ?? options.now,
      });
      if (!isInside(root, dir)) throw new Error(`ADD destination ${op.dest} is outside of the root filesystem`);
      await unpackArchive(item.sourcePath as string, kind, dir, options.owner);
    }
  }
}

/**
 * The archives ADD unpacks instead of copying: files named by a source (not files inside a copied
 * directory); a download only with `--unpack=true`; nothing with `--unpack=false`.
 */
async function archivesOf(op: CopyOperation, group: CopyGroup): Promise<Map<CopyItem, ArchiveKind>> {
  const found = new Map<CopyItem, ArchiveKind>();
  if (op.unpack === false || (group.download === true && op.unpack !== true)) return found;
  if (group.items.some((item) => item.to === '' && item.type === 'dir')) return found;
  for (const item of group.items) {
    if (item.type !== 'file' || item.sourcePath === undefined || item.to.includes('/')) continue;
    const kind = await detectArchive(item.sourcePath);
    if (kind !== null) found.set(item, kind);
  }
  return found;
}

/** A WORKDIR step on `fs`: a new directory tree is written directly (copy-direct.ts), else made in an overlay. */
export async function mkdirStep(
  env: StepEnv,
  op: Extract<StepOperation, { type: 'mkdir' }>,
  fs: FsState,
  epoch: number | null,
): Promise<LayerRef> {
  const direct = await planDirectMkdir(env, op, fs);
  if (direct !== null) return runDirectStep(env.store, (root) => writeDirect(root, direct, epoch));
  return runFsStep(env.store, fs, { epoch }, (ws) => performMkdir(env, op, ws));
}

/** WORKDIR: `mkdir -p` with mode 0755, owned by the stage's USER; an existing directory is left alone. */
export async function performMkdir(
  env: StepEnv,
  op: Extract<StepOperation, { type: 'mkdir' }>,
  ws: StepWorkspace,
): Promise<void> {
  const owner = op.user === '' ? { uid: 0, gid: 0 } : await resolveFileOwner(ws.root, op.user);
  await mkdirInRoot(ws.root, relOf(op.path), { mode: 0o755, ...owner, mtime: op.epoch ?? env.now });
}
