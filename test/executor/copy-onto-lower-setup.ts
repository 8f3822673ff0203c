// Set-up of the direct-COPY-onto-lower tests: hand-made lower layers (committed and unpacked as snapshots, the
// way a build gets them), a build context, a step environment, COPY operations, and descriptions of layers and
// snapshot trees that two paths (direct and overlay) can be compared by.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { snapshotContext } from '../../cache/index.js';
import { commitTarChunks } from '../../executor/build/layer-commit.js';
import type { FsState, LayerRef } from '../../executor/build/layer-ref.js';
import { ensureSnapshot, snapshotDir } from '../../executor/build/snapshots.js';
import type { StepEnv } from '../../executor/build/step-env.js';
import { UrlContents } from '../../executor/build/url-content.js';
import { parseGetfattrDump } from '../../executor/diff/xattrs.js';
import { prepareLayerEntries, readTar, Store, type TarEntry, tarChunks, uncompressedLayer } from '../../image/index.js';
import type { StepOperation } from '../../planner/index.js';
import { removeScratch, scratchDir } from './helpers.js';

const scratch: string[] = [];

async function newScratch(): Promise<string> {
  const dir = await scratchDir();
  scratch.push(dir);
  return dir;
}

/** Removes the directories the set-up made. */
export async function removeSetupDirs(): Promise<void> {
  for (const dir of scratch.splice(0)) await removeScratch(dir);
}

export type CopyOperation = Extract<StepOperation, { type: 'copy' }>;

export const buildTime = 1700000000;
export const contextTime = 1690000000.25;

/**
 * A store holding `layers` (bottom first) and the layers of a stage to copy from, each unpacked into its snapshot:
 * the FsState of both.
 */
export async function storeWith(
  layers: readonly (readonly TarEntry[])[],
  stageLayers: readonly (readonly TarEntry[])[] = [],
): Promise<{ store: Store; fs: FsState; stage: FsState }> {
  const store = await Store.open(path.join(await newScratch(), 's'));
  const commit = async (all: readonly (readonly TarEntry[])[]) => {
    const refs: LayerRef[] = [];
    for (const entries of all) {
      const ref = await commitTarChunks(store, tarChunks(prepareLayerEntries(entries)));
      await ensureSnapshot(store, ref);
      refs.push(ref);
    }
    return refs;
  };
  return { store, fs: { layers: await commit(layers) }, stage: { layers: await commit(stageLayers) } };
}

export const dir = (p: string, extra: Partial<TarEntry> = {}): TarEntry => ({
  path: p,
  type: 'directory',
  mode: 0o755,
  uid: 0,
  gid: 0,
  mtime: 1600000000,
  ...extra,
});
export const file = (p: string, content = 'x\n', extra: Partial<TarEntry> = {}): TarEntry => ({
  path: p,
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 1600000000,
  content: Buffer.from(content),
  ...extra,
});

/** The build context: files, an empty file, a private dir, a symlink, a nested dir; fixed times. */
export async function makeContext(): Promise<string> {
  const root = path.join(await newScratch(), 'ctx');
  const files: [string, string, number][] = [
    ['src/main.sh', 'echo main\n', 0o755],
    ['src/lib/util.sh', 'util\n', 0o600],
    ['src/empty', '', 0o644],
    ['src/private/key', 'secret\n', 0o640],
    ['stamp.txt', 'stamp\n', 0o644],
  ];
  for (const [rel, content, mode] of files) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content, { mode });
  }
  await symlink('lib/util.sh', path.join(root, 'src/link'));
  execFileSync('chmod', ['700', path.join(root, 'src/private')]);
  for (const rel of ['src/main.sh', 'src/lib/util.sh', 'src/empty', 'src/private/key', 'stamp.txt']) {
    await utimes(path.join(root, rel), contextTime, contextTime);
  }
  for (const rel of ['src/lib', 'src/private', 'src']) await utimes(path.join(root, rel), contextTime, contextTime);
  return root;
}

/** A step's environment; stage 0 is `stage`. */
export async function stepEnv(store: Store, contextDir: string, stage: FsState = { layers: [] }): Promise<StepEnv> {
  return {
    store,
    context: await snapshotContext(contextDir, { ignoreFile: null }),
    stageFs: async (index) => {
      if (index !== 0) throw new Error(`no stage ${index} here`);
      return stage;
    },
    imageFs: async () => {
      throw new Error('no images here');
    },
    urls: new UrlContents(store),
    now: buildTime,
    secrets: new Map(),
    runtime: 'runc',
    hostname: 'test',
  };
}

export function copyOp(sources: readonly string[], dest: string, extra: Partial<CopyOperation> = {}): CopyOperation {
  return {
    type: 'copy',
    add: false,
    sources,
    dest,
    from: { type: 'context' },
    chown: null,
    chmod: null,
    link: false,
    parents: false,
    excludes: [],
    checksum: null,
    keepGitDir: false,
    unpack: null,
    inline: [],
    epoch: null,
    ...extra,
  };
}

/** A layer's entries, one line each: path, type, mode, owner, size, content hash or link target, xattrs; mtimes apart. */
export async function layerLines(store: Store, layer: LayerRef): Promise<{ lines: string[]; mtimes: number[] }> {
  const lines: string[] = [];
  const mtimes: number[] = [];
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    const hash = createHash('sha256');
    for await (const chunk of entry.body()) hash.update(chunk);
    const h = entry.header;
    const detail = h.type === 'file' ? hash.digest('hex').slice(0, 12) : (h.linkname ?? '');
    const xattrs = Object.keys(h.xattrs ?? {}).join(',');
    lines.push(`${h.path} ${h.type} ${h.mode.toString(8)} ${h.uid}:${h.gid} ${h.size} ${detail} ${xattrs}`.trim());
    mtimes.push(h.mtime);
  }
  return { lines, mtimes };
}

/** Every path of a layer's snapshot with type, mode, owner, size, content or target and its xattrs; mtimes (ns) apart. */
export async function snapshotTree(store: Store, layer: LayerRef): Promise<Map<string, { line: string; ns: bigint }>> {
  const root = snapshotDir(store, layer);
  const out = new Map<string, { line: string; ns: bigint }>();
  const dump = execFileSync('getfattr', ['-R', '-P', '-h', '--absolute-names', '-d', '-m', '-', '-e', 'hex', root]);
  const xattrs = parseGetfattrDump(dump, root);
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const full = path.join(root, child);
      const st = await lstat(full, { bigint: true });
      const kept = Object.keys(xattrs.get(child) ?? {}).filter((n) => !n.startsWith('trusted.overlay.'));
      let detail = '';
      if (st.isSymbolicLink()) detail = await readlink(full);
      else if (st.isFile())
        detail = createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
          .slice(0, 12);
      out.set(child, {
        line: `${st.mode.toString(8)} ${st.uid}:${st.gid} ${detail} ${kept.join(',')}`,
        ns: st.mtimeNs,
      });
      if (st.isDirectory()) await walk(child);
    }
  };
  await walk('');
  return out;
}
