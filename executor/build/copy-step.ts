// COPY and ADD in a step's writable root: sources from the context, a stage or an image (read
// through a read-only view of its layers), heredocs and URLs; `--chown` names resolved in the
// destination image; local archives unpacked by ADD. A COPY whose layer is known before it is written
// (copy-direct.ts) is written straight into a new snapshot instead.
import { type ContextSnapshot, contextRefId } from '../../cache/index.js';
import { isInside } from '../../image/index.js';
import { isHttpSource, type StepOperation } from '../../planner/index.js';
import { type ArchiveKind, detectArchive, unpackArchive } from './archive.js';
import { parseChmod } from './chmod.js';
import { type DirectEntry, planCopyEntries, planDirectMkdir, writeDirect } from './copy-direct.js';
import { type CopyGroup, type CopyItem, inlineGroup, selectGroups, selectInTree, treeRefId } from './copy-items.js';
import { runDirectCopy } from './copy-reuse.js';
import { mkdirInRoot, relOf, type WriteOptions, writeGroup } from './copy-write.js';
import { runDirectStep, runDirectStepDeferred } from './direct-step.js';
import { downloadGroup } from './download.js';
import { runFsStep, type StepWorkspace } from './fs-step.js';
import { gitGroups } from './git-copy.js';
import type { FsState, LayerRef } from './layer-ref.js';
import { holdingPending, type PendingSnapshot } from './pending-snapshot.js';
import { phaseTimer } from './phase-timer.js';
import { readView } from './read-views.js';
import { contextOf, type StepEnv } from './step-env.js';
import { resolveFileOwner } from './users.js';

type CopyOperation = Extract<StepOperation, { type: 'copy' }>;
type MkdirOperation = Extract<StepOperation, { type: 'mkdir' }>;

/** What runs once a small layer written directly has been stored and published beside the next steps (its record). */
export type AfterPublish = (layer: LayerRef) => Promise<void>;

/**
 * A COPY/ADD step on `fs`: written directly into a new snapshot when it can be (copy-direct.ts), else in an overlay.
 * Given `afterPublish`, a small direct copy returns once written, its layer stored beside the next steps
 * (runDirectStepDeferred).
 */
export function copyStep(env: StepEnv, op: CopyOperation, fs: FsState, epoch: number | null): Promise<LayerRef>;
export function copyStep(
  env: StepEnv,
  op: CopyOperation,
  fs: FsState,
  epoch: number | null,
  afterPublish: AfterPublish,
): Promise<LayerRef | PendingSnapshot>;
export async function copyStep(
  env: StepEnv,
  op: CopyOperation,
  fs: FsState,
  epoch: number | null,
  afterPublish?: AfterPublish,
): Promise<LayerRef | PendingSnapshot> {
  if (op.add) return runFsStep(env.store, fs, { epoch }, (ws) => performCopy(env, op, ws));
  if (op.from.type !== 'context') {
    if (op.inline.length === 0) return copyFromTree(env, op, fs, epoch, afterPublish);
    return runFsStep(env.store, fs, { epoch }, (ws) => performCopy(env, op, ws));
  }
  const trace = phaseTimer();
  const selected = op.sources.length === 0 ? [] : await selectInContext(env, op);
  const inline = op.inline.map((doc) => inlineGroup(doc.name, doc.content, env.now));
  const context = contextOf(env, op.from);
  return directOrOverlay(
    fs,
    async (held) => {
      const direct = await planCopyEntries(env, op, held, [...inline, ...selected]);
      trace('plan');
      return direct;
    },
    (direct) =>
      worthReusing(context, direct)
        ? runDirectCopy(env, op, direct, epoch)
        : writeNewSnapshotDeferred(env, direct, epoch, afterPublish),
    () => runFsStep(env.store, fs, { epoch }, (ws) => performCopy(env, op, ws, selected)),
  );
}

/** The entries written straight into a new snapshot, as the step's layer (direct-step.ts). */
function writeNewSnapshot(env: StepEnv, entries: readonly DirectEntry[], epoch: number | null): Promise<LayerRef> {
  return runDirectStep(env.store, (root, onDataFile) => writeDirect(root, entries, epoch, onDataFile));
}

/** `writeNewSnapshot`, a small layer stored beside the next steps when there is `afterPublish` (direct-step.ts). */
function writeNewSnapshotDeferred(
  env: StepEnv,
  entries: readonly DirectEntry[],
  epoch: number | null,
  afterPublish: AfterPublish | undefined,
): Promise<LayerRef | PendingSnapshot> {
  if (afterPublish === undefined) return writeNewSnapshot(env, entries, epoch);
  return runDirectStepDeferred(
    env.store,
    (root, onDataFile) => writeDirect(root, entries, epoch, onDataFile),
    afterPublish,
  );
}

/**
 * A step planned onto `fs` by `plan` and written directly by `write`, or through `overlay` when `plan` says null (an
 * overlay holds the pending layers of `fs` itself: fs-step.ts). The pending layers (RUNs still being committed) are
 * held where they are while `plan` reads them, and through the write only when it reads them too (an entry that
 * keeps the times of a directory there: `touch -r`, direct-write.ts); released, each is published meanwhile.
 */
async function directOrOverlay<Written extends LayerRef | PendingSnapshot>(
  fs: FsState,
  plan: (held: FsState) => Promise<DirectEntry[] | null>,
  write: (entries: DirectEntry[]) => Promise<Written>,
  overlay: () => Promise<LayerRef>,
): Promise<Written | LayerRef> {
  return holdingPending(fs, async (held, release) => {
    const direct = await plan(held);
    // The commits below start once the plan has read the layers (the overlay starts them after its work), as a
    // RUN's wait for the next RUN's runtime (pending-snapshot.ts): beside them the plan took 11-15 ms instead of
    // 6-9 (`small`'s last COPY on this 2-core machine), and the step ended later.
    if (direct !== null) for (const snapshot of fs.pending ?? []) snapshot.startCommit();
    const dirs = held.held ?? [];
    const readsHeld = (entry: DirectEntry) => {
      const source = entry.keepTimesOf?.source;
      return source !== undefined && dirs.some((dir) => isInside(dir, source));
    };
    if (direct === null || !direct.some(readsHeld)) release();
    return direct === null ? overlay() : write(direct);
  });
}

/**
 * Whether a direct copy is more than a few small files, for which copy-reuse.ts does not pay off: reusing the
 * previous copy starts a thread and reads the previous layer, which costs more than writing them (measured: a
 * two-file COPY took 14 ms written, 370-570 ms reused, on a loaded 2-core VM).
 */
function worthReusing(context: ContextSnapshot, entries: readonly DirectEntry[]): boolean {
  const prefix = context.root.endsWith('/') ? context.root : `${context.root}/`;
  let files = 0;
  let bytes = 0;
  for (const entry of entries) {
    if (entry.type !== 'file') continue;
    files++;
    const source = entry.sourcePath;
    if (source?.startsWith(prefix)) bytes += context.get(source.slice(prefix.length))?.size ?? 0;
    if (files >= reuseMinFiles || bytes >= reuseMinBytes) return true;
  }
  return false;
}

const reuseMinFiles = 32;
const reuseMinBytes = 1 << 20;

/** The groups of a COPY's sources in the build context or a named one (whose checksums the planner computed). */
function selectInContext(env: StepEnv, op: CopyOperation): Promise<CopyGroup[]> {
  if (op.from.type !== 'context') throw new Error('selectInContext copies from a context');
  const selection = { excludes: op.excludes, parents: op.parents };
  const snapshot = contextOf(env, op.from);
  const ref = contextRefId(op.from.name);
  return selectGroups({ snapshot, keepOwners: false, checksums: true, ref }, op.sources, selection);
}

/**
 * COPY --from a stage or an image: the sources are selected once in a read-only view of its layers, then written
 * directly when they can be, else through the overlay (with the same selection). A small direct layer is stored
 * beside the next steps, as a context copy's: written, its files no longer need the view.
 */
async function copyFromTree(
  env: StepEnv,
  op: CopyOperation,
  fs: FsState,
  epoch: number | null,
  afterPublish: AfterPublish | undefined,
): Promise<LayerRef | PendingSnapshot> {
  const trace = phaseTimer();
  const source = op.from;
  if (source.type === 'context') throw new Error('copyFromTree copies from a stage or an image');
  const from = source.type === 'stage' ? await env.stageFs(source.index) : await env.imageFs(source.ref);
  return readView(env.store, env.readViews, from, async (viewRoot) => {
    const groups = await selectInTree(viewRoot, op, op.sources, treeRefId(source));
    return directOrOverlay(
      fs,
      async (held) => {
        const direct = await planCopyEntries(env, op, held, groups);
        trace('plan');
        return direct;
      },
      (direct) => writeNewSnapshotDeferred(env, direct, epoch, afterPublish),
      () => runFsStep(env.store, fs, { epoch }, (ws) => performCopy(env, op, ws, groups)),
    );
  });
}

/** The copy in an overlay's root; `selected`: the groups of the sources (not URLs), when selected already. */
export async function performCopy(
  env: StepEnv,
  op: CopyOperation,
  ws: StepWorkspace,
  selected?: readonly CopyGroup[],
): Promise<void> {
  const options: WriteOptions = {
    owner: op.chown === null || op.chown === '' ? null : await resolveFileOwner(ws.root, op.chown),
    chmod: op.chmod === null ? null : parseChmod(op.chmod),
    epoch: op.epoch,
    now: env.now,
  };
  const write = (groups: readonly CopyGroup[]) => writeGroups(ws.root, op, groups, options);
  await write(op.inline.map((doc) => inlineGroup(doc.name, doc.content, env.now)));
  const git = op.git ?? [];
  const remote = (s: string) => isHttpSource(s) || git.some((g) => g.source === s);
  const paths = op.sources.filter((s) => !remote(s));
  for (const url of op.sources.filter(isHttpSource)) {
    const { file, lastModified } = await env.urls.fileFor(url, op.checksum, ws.scratch);
    await write([downloadGroup(url, file, lastModified)]);
  }
  for (const source of git) await write(await gitGroups(env, source, op.excludes, ws.scratch));
  if (paths.length === 0) return;
  if (selected !== undefined) {
    await write(selected);
    return;
  }
  if (op.from.type === 'context') {
    await write(await selectInContext(env, { ...op, sources: paths }));
    return;
  }
  const from = op.from;
  const fs = from.type === 'stage' ? await env.stageFs(from.index) : await env.imageFs(from.ref);
  await readView(env.store, env.readViews, fs, async (viewRoot) =>
    write(await selectInTree(viewRoot, op, paths, treeRefId(from))),
  );
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
export function mkdirStep(env: StepEnv, op: MkdirOperation, fs: FsState, epoch: number | null): Promise<LayerRef>;
export function mkdirStep(
  env: StepEnv,
  op: MkdirOperation,
  fs: FsState,
  epoch: number | null,
  afterPublish: AfterPublish,
): Promise<LayerRef | PendingSnapshot>;
export async function mkdirStep(
  env: StepEnv,
  op: MkdirOperation,
  fs: FsState,
  epoch: number | null,
  afterPublish?: AfterPublish,
): Promise<LayerRef | PendingSnapshot> {
  return directOrOverlay(
    fs,
    (held) => planDirectMkdir(env, op, held),
    (direct) => writeNewSnapshotDeferred(env, direct, epoch, afterPublish),
    () => runFsStep(env.store, fs, { epoch }, (ws) => performMkdir(env, op, ws)),
  );
}

/** WORKDIR: `mkdir -p` with mode 0755, owned by the stage's USER; an existing directory is left alone. */
export async function performMkdir(env: StepEnv, op: MkdirOperation, ws: StepWorkspace): Promise<void> {
  const owner = op.user === '' ? { uid: 0, gid: 0 } : await resolveFileOwner(ws.root, op.user);
  await mkdirInRoot(ws.root, relOf(op.path), { mode: 0o755, ...owner, mtime: op.epoch ?? env.now });
}
