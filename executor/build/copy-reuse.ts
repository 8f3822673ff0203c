// A direct copy whose cache key missed, usually because a few of its many files changed, is made from the
// previous result of the same copy: each file whose metadata and context digest are what the previous copy
// recorded (copy-reuse-record.ts) is hard-linked from the previous snapshot, and its tar content is read from
// the previous layer in one forward pass (layer-cursor.ts); only changed and new files are read from the
// context. The entries, their order and their headers are the ones a cold copy makes, so the layer and the
// snapshot are identical to a cold build's. The previous snapshot is used only when it is the very directory
// the recorded copy wrote (snapshot-identity.ts); on any failure (it was pruned meanwhile, the layer does not
// hold what the record says) the copy is made from scratch.
import type { ContextSnapshot } from '../../cache/index.js';
import type { StepOperation } from '../../planner/index.js';
import { type DirectEntry, writeDirect } from './copy-direct.js';
import { type CopiedFile, copyRecordKey, readCopyRecord, sameFile, writeCopyRecord } from './copy-reuse-record.js';
import { type DirectStepResult, runDirectStepOwned } from './direct-step.js';
import { openLayerCursor } from './layer-cursor.js';
import type { LayerRef } from './layer-ref.js';
import { traceNote } from './phase-timer.js';
import { sameSnapshot, snapshotIdentity } from './snapshot-identity.js';
import { snapshotDir } from './snapshots.js';
import { contextOf, type StepEnv } from './step-env.js';

type CopyOperation = Extract<StepOperation, { type: 'copy' }>;

/** Below this share of reusable files, reading the whole previous layer is not worth it. */
const minReusedShare = 0.5;

/** Writes a direct copy (planDirectCopy's `entries`), reusing the previous copy's files where they are unchanged. */
export async function runDirectCopy(
  env: StepEnv,
  op: CopyOperation,
  entries: readonly DirectEntry[],
  epoch: number | null,
): Promise<LayerRef> {
  if (op.from.type !== 'context') throw new Error('a direct copy reads a context');
  const context = contextOf(env, op.from);
  const key = copyRecordKey(context.root, op.dest, op.sources);
  const [files, previous] = await Promise.all([contextFiles(context, entries), readCopyRecord(env.store, key)]);
  let result: DirectStepResult | null = null;
  if (previous !== null) {
    result = await reuseFrom(env, previous, entries, files, epoch).catch((error: unknown) => {
      traceNote(`copy reuse failed, copying everything: ${(error as Error).message}`);
      return null;
    });
  }
  result ??= await runDirectStepOwned(env.store, (root, onDataFile) => writeDirect(root, entries, epoch, onDataFile));
  if (result.own !== null) {
    // Best effort: without a record the next change copies everything again. Written once the layer's blob is
    // durable, beside the next steps (the build waits for it before it ends: Store.blobsIdle).
    writeCopyRecord(env.store, key, { layer: result.layer, snapshot: result.own, files }).catch(() => {});
  }
  return result.layer;
}

async function reuseFrom(
  env: StepEnv,
  previous: NonNullable<Awaited<ReturnType<typeof readCopyRecord>>>,
  entries: readonly DirectEntry[],
  files: ReadonlyMap<string, CopiedFile>,
  epoch: number | null,
): Promise<DirectStepResult | null> {
  const oldDir = snapshotDir(env.store, previous.layer);
  const identity = await snapshotIdentity(oldDir);
  if (identity === null || !sameSnapshot(identity, previous.snapshot)) return null;
  const fileCount = entries.filter((entry) => entry.type === 'file').length;
  const reused = entries.map((entry) => {
    const now = files.get(entry.path);
    const before = previous.files.get(entry.path);
    return entry.type === 'file' && now !== undefined && before !== undefined && sameFile(now, before);
  });
  const reusedCount = reused.filter(Boolean).length;
  if (reusedCount === 0 || reusedCount < fileCount * minReusedShare) return null;
  // The cursor reads ranges of the old layer's tar: a layer kept only as its snapshot is written as a file first.
  const cursor = await openLayerCursor(await env.store.ensureBlob(previous.layer.diffId));
  try {
    const planned = entries.map((entry, i): DirectEntry => {
      if (!reused[i]) return entry;
      const size = (files.get(entry.path) as CopiedFile).size;
      return { ...entry, reuse: { snapshot: oldDir, size, content: () => cursor.content(entry.path, size) } };
    });
    traceNote(`copy reuses ${reusedCount} of ${fileCount} files`);
    return await runDirectStepOwned(env.store, (root, onDataFile) => writeDirect(root, planned, epoch, onDataFile));
  } finally {
    await cursor.close();
  }
}

/** Each file entry copied from the context, with its metadata and the context's digest of its source. */
async function contextFiles(
  context: ContextSnapshot,
  entries: readonly DirectEntry[],
): Promise<Map<string, CopiedFile>> {
  const files = new Map<string, CopiedFile>();
  const prefix = context.root.endsWith('/') ? context.root : `${context.root}/`;
  for (const entry of entries) {
    const source = entry.sourcePath;
    if (entry.type !== 'file' || source === undefined || !source.startsWith(prefix)) continue;
    const rel = source.slice(prefix.length);
    const found = context.get(rel);
    if (found?.type !== 'file') continue;
    const digest = await context.entryDigest(rel);
    const { mode, uid, gid, mtime } = entry;
    files.set(entry.path, { mode, uid, gid, mtime, size: found.size, digest });
  }
  return files;
}
