// A COPY (or WORKDIR) into directories that exist in the lower layers is written directly (copy-direct.ts,
// lower-probe.ts) when the overlay path would give the same result: these tests run both paths on the same lower
// layers and compare the layers and the snapshots, and check that the cases the direct path must not take
// (something exists where the copy writes, a symlinked, whiteout-ed or opaque parent, xattrs, setgid) fall back.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotContext } from '../../cache/index.js';
import { planCopyEntries, planDirectCopy, planDirectMkdir } from '../../executor/build/copy-direct.js';
import { selectGroups } from '../../executor/build/copy-items.js';
import { copyStep, mkdirStep, performCopy, performMkdir } from '../../executor/build/copy-step.js';
import { runFsStep } from '../../executor/build/fs-step.js';
import type { FsState, LayerRef } from '../../executor/build/layer-ref.js';
import { withReadView } from '../../executor/build/lower-dirs.js';
import { PendingSnapshot } from '../../executor/build/pending-snapshot.js';
import { snapshotDir } from '../../executor/build/snapshots.js';
import type { StepEnv } from '../../executor/build/step-env.js';
import type { Store, TarEntry } from '../../image/index.js';
import {
  type CopyOperation,
  copyOp,
  dir,
  file,
  layerLines,
  makeContext,
  removeSetupDirs,
  snapshotTree,
  stepEnv,
  storeWith,
} from './copy-onto-lower-setup.js';
import { isolationUnavailable } from './helpers.js';

const base: TarEntry[] = [
  dir('app', { mode: 0o750, uid: 5, gid: 6, mtime: 1500000000 }),
  dir('out'),
  dir('usr', { mtime: 1400000000 }),
  dir('usr/local', { mode: 0o775, mtime: 1410000000 }),
  file('usr/local/readme', 'r\n'),
  file('etc/passwd', 'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n'),
  dir('etc', { mtime: 1420000000 }),
];

/** A stage to copy from, in two layers (its view is an overlay): owners, modes, a symlink, nested dirs. */
const stage: TarEntry[][] = [
  [
    dir('opt'),
    dir('opt/tool', { mode: 0o750, uid: 7, gid: 8, mtime: 1300000000 }),
    dir('opt/tool/bin', { mtime: 1300000001 }),
    file('opt/tool/bin/run', 'run\n', { mode: 0o755, uid: 7, gid: 8, mtime: 1300000002 }),
  ],
  [
    dir('opt'),
    dir('opt/tool', { mode: 0o750, uid: 7, gid: 8, mtime: 1300000003 }),
    file('opt/tool/README', 'readme\n', { mode: 0o600, uid: 9, gid: 9, mtime: 1300000004 }),
    { path: 'opt/tool/latest', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 1300000005, linkname: 'bin/run' },
  ],
];

interface Case {
  readonly name: string;
  readonly layers: readonly (readonly TarEntry[])[];
  readonly op: CopyOperation;
  readonly epoch?: number;
  /** Whether the direct path takes it. */
  readonly direct: boolean;
  /** Directories the copy creates entries in: the overlay path gives them the kernel's time. */
  readonly touched?: readonly string[];
  /** The exact layer (lines of `layerLines`), when pinned. */
  readonly layer?: readonly string[];
  /** Run on the lower snapshots of both stores before the step (top-most layer's dir). */
  readonly prepare?: (top: string) => void;
}

const cases: Case[] = [
  {
    name: 'into an existing directory (its owner and mode kept, a new mtime)',
    layers: [base],
    op: copyOp(['src/'], '/app/src/'),
    direct: true,
    touched: ['app', 'app/src'],
  },
  {
    name: 'a file into an existing directory, named by the destination',
    layers: [base],
    op: copyOp(['stamp.txt'], '/out/stamp.txt'),
    direct: true,
    touched: ['out'],
    layer: ['out directory 755 0:0 0', 'out/stamp.txt file 644 0:0 6 1c385d910192'],
  },
  {
    name: 'into / (the root is never in the layer)',
    layers: [base],
    op: copyOp(['src/'], '/'),
    direct: true,
  },
  {
    name: 'nested new directories under an existing one; ancestors keep their times to the nanosecond',
    layers: [base, [dir('usr'), dir('usr/local', { mode: 0o711, uid: 3, gid: 4 })]],
    op: copyOp(['src/'], '/usr/local/share/app/'),
    direct: true,
    touched: ['usr/local', 'usr/local/share', 'usr/local/share/app'],
    prepare: (top) => execFileSync('touch', ['-h', '-d', '@1400000000.123456789', path.join(top, 'usr')]),
  },
  {
    name: '--chown and --chmod (a name from the image)',
    layers: [base],
    op: copyOp(['src/'], '/app/src/', { chown: 'app', chmod: '640' }),
    direct: true,
    touched: ['app', 'app/src'],
  },
  {
    name: 'SOURCE_DATE_EPOCH: the same bytes',
    layers: [base],
    op: copyOp(['src/', 'stamp.txt'], '/usr/local/', { epoch: 1650000000 }),
    epoch: 1650000000,
    direct: true,
    touched: ['usr/local'],
  },
  {
    name: 'into a directory that exists in two layers (the top-most one gives its metadata)',
    layers: [base, [dir('app', { mode: 0o700, uid: 9, gid: 9, mtime: 1510000000 }), file('app/other')]],
    op: copyOp(['stamp.txt'], '/app/'),
    direct: true,
    touched: ['app'],
  },
  {
    name: 'a whiteout of a sibling does not matter',
    layers: [base, [dir('usr'), dir('usr/local'), file('usr/local/.wh.readme', '')]],
    op: copyOp(['stamp.txt'], '/usr/local/'),
    direct: true,
    touched: ['usr/local'],
  },
  {
    name: '--from a stage: a directory into an existing one, owners kept',
    layers: [base],
    op: copyOp(['/opt/tool'], '/app/tool/', { from: { type: 'stage', index: 0 } }),
    direct: true,
    touched: ['app', 'app/tool'],
  },
  {
    name: '--from a stage: one file, named by the destination, --chown',
    layers: [base],
    op: copyOp(['/opt/tool/bin/run'], '/out/run', { from: { type: 'stage', index: 0 }, chown: '1:2' }),
    direct: true,
    touched: ['out'],
    layer: ['out directory 755 0:0 0', 'out/run file 755 1:2 4 b5004f26a852'],
  },
  {
    name: 'fallback: --from a stage onto an existing file',
    layers: [base],
    op: copyOp(['/opt/tool/bin/run'], '/usr/local/readme', { from: { type: 'stage', index: 0 } }),
    direct: false,
    touched: ['usr/local'],
  },
  {
    name: 'fallback: a file exists where the copy writes',
    layers: [base, [dir('app'), dir('app/src'), file('app/src/main.sh', 'old\n')]],
    op: copyOp(['src/'], '/app/src/'),
    direct: false,
    touched: ['app/src'],
  },
  {
    name: 'fallback: the destination is an existing directory of the same name as a copied file',
    layers: [base],
    op: copyOp(['stamp.txt'], '/app'),
    direct: false,
    touched: ['app'],
  },
  {
    name: 'fallback: a symlinked parent',
    layers: [base, [{ path: 'data', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 1, linkname: 'app' }]],
    op: copyOp(['stamp.txt'], '/data/stamp.txt'),
    direct: false,
    touched: ['app'],
  },
  {
    name: 'fallback: a whiteout-ed parent',
    layers: [base, [file('.wh.out', '')]],
    op: copyOp(['stamp.txt'], '/out/stamp.txt'),
    direct: false,
    touched: ['out'],
  },
  {
    name: 'fallback: an opaque parent',
    layers: [base, [dir('usr'), file('usr/.wh..wh..opq', '')]],
    op: copyOp(['stamp.txt'], '/usr/local/'),
    direct: false,
    touched: ['usr', 'usr/local'],
  },
  {
    name: 'fallback: a parent with an extended attribute',
    layers: [base, [dir('out', { xattrs: { 'user.note': Buffer.from('kept') } })]],
    op: copyOp(['stamp.txt'], '/out/'),
    direct: false,
    touched: ['out'],
  },
  {
    name: 'fallback: a setgid parent (new entries would take its group)',
    layers: [base, [dir('out', { mode: 0o2775, gid: 50 })]],
    op: copyOp(['src/'], '/out/src/'),
    direct: false,
    touched: ['out', 'out/src'],
  },
];

describe.skipIf(isolationUnavailable() !== undefined)('COPY onto existing lower directories', () => {
  let ctx: string;
  beforeAll(async () => {
    ctx = await makeContext();
  });
  afterAll(async () => {
    await removeSetupDirs();
  });

  it.each(cases)('$name', async (c) => {
    const a = await storeWith(c.layers, stage);
    const b = await storeWith(c.layers, stage);
    for (const { store, fs } of [a, b]) c.prepare?.(snapshotDir(store, fs.layers.at(-1) as LayerRef));
    const envA = await stepEnv(a.store, ctx, a.stage);
    const envB = await stepEnv(b.store, ctx, b.stage);
    expect(await takesDirectPath(envA, c.op, a.fs)).toBe(c.direct);
    const epoch = c.epoch ?? null;
    const t0 = Math.floor(Date.now() / 1000);
    const chosen = await copyStep(envA, c.op, a.fs, epoch);
    const overlay = await runFsStep(b.store, b.fs, { epoch }, (ws) => performCopy(envB, c.op, ws));
    const t1 = Math.ceil(Date.now() / 1000);
    await expectSame(a.store, chosen, b.store, overlay, c.touched ?? [], [t0, t1], epoch);
    if (c.layer !== undefined) expect((await layerLines(a.store, chosen)).lines).toEqual(c.layer);
  });

  it('stores a small COPY --from a stage beside the next steps, as a context copy: the same layer', async () => {
    const op = copyOp(['/opt/tool/bin/run'], '/out/run', { from: { type: 'stage', index: 0 }, chown: '1:2' });
    const a = await storeWith([base], stage);
    const b = await storeWith([base], stage);
    const recorded: LayerRef[] = [];
    const returned = await copyStep(await stepEnv(a.store, ctx, a.stage), op, a.fs, null, async (layer) => {
      recorded.push(layer);
    });
    expect(returned).toBeInstanceOf(PendingSnapshot);
    const layer = await (returned as PendingSnapshot).settle();
    expect(recorded).toEqual([layer]);
    const atOnce = await copyStep(await stepEnv(b.store, ctx, b.stage), op, b.fs, null);
    expect((await layerLines(a.store, layer)).lines).toEqual((await layerLines(b.store, atOnce)).lines);
    expect((await layerLines(a.store, layer)).lines).toEqual([
      'out directory 755 0:0 0',
      'out/run file 755 1:2 4 b5004f26a852',
    ]);
  });

  it('pins the layer of a copy into an existing directory, times included', async () => {
    const a = await storeWith([base]);
    const t0 = Math.floor(Date.now() / 1000);
    const layer = await copyStep(await stepEnv(a.store, ctx), copyOp(['src/'], '/app/src/'), a.fs, null);
    const t1 = Math.ceil(Date.now() / 1000);
    const { lines, mtimes } = await layerLines(a.store, layer);
    expect(lines).toEqual([
      'app directory 750 5:6 0',
      'app/src directory 755 0:0 0',
      'app/src/empty file 644 0:0 0 e3b0c44298fc',
      'app/src/lib directory 755 0:0 0',
      'app/src/lib/util.sh file 600 0:0 5 8ecc0f662d37',
      'app/src/link symlink 777 0:0 0 lib/util.sh',
      'app/src/main.sh file 755 0:0 10 ed85bcc5efc4',
      'app/src/private directory 700 0:0 0',
      'app/src/private/key file 640 0:0 7 b37e50cedcd3',
    ]);
    // /app and /app/src get the time of the copy; everything copied keeps its context time.
    for (const t of mtimes.slice(0, 2)) expect(t >= t0 && t <= t1).toBe(true);
    expect(mtimes.slice(2, 5)).toEqual([1690000000, 1690000000, 1690000000]);
    expect(mtimes.slice(6)).toEqual([1690000000, 1690000000, 1690000000]);
  });

  it.each([
    ['/app', true, []],
    ['/app/x/y', true, ['app', 'app/x']],
    ['/usr/local/bin', true, ['usr/local']],
    ['/out/.', true, []],
  ] as const)('WORKDIR %s gives the overlay layer', async (where, direct, touched) => {
    const a = await storeWith([base]);
    const b = await storeWith([base]);
    const op = { type: 'mkdir' as const, path: where, user: '', epoch: null };
    expect((await planDirectMkdir(await stepEnv(a.store, ctx), op, a.fs)) !== null).toBe(direct);
    const t0 = Math.floor(Date.now() / 1000);
    const chosen = await mkdirStep(await stepEnv(a.store, ctx), op, a.fs, null);
    const envB = await stepEnv(b.store, ctx);
    const overlay = await runFsStep(b.store, b.fs, { epoch: null }, (ws) => performMkdir(envB, op, ws));
    const t1 = Math.ceil(Date.now() / 1000);
    await expectSame(a.store, chosen, b.store, overlay, touched, [t0, t1], null);
  });
});

/** Whether the direct path takes the copy (for a stage source, its tree selected as copyStep does). */
async function takesDirectPath(env: StepEnv, op: CopyOperation, fs: FsState): Promise<boolean> {
  if (op.from.type === 'context') return (await planDirectCopy(env, op, fs)) !== null;
  return withReadView(env.store, await env.stageFs(0), async (root) => {
    const snapshot = await snapshotContext(root, { ignoreFile: null, resetOwner: false });
    const groups = await selectGroups({ snapshot, keepOwners: true, checksums: false }, op.sources, {
      excludes: [],
      parents: false,
    });
    return (await planCopyEntries(env, op, fs, groups)) !== null;
  });
}

/** The two layers and their snapshots agree, except the times of `touched` dirs, which must lie in `window`. */
async function expectSame(
  storeA: Store,
  a: LayerRef,
  storeB: Store,
  b: LayerRef,
  touched: readonly string[],
  window: readonly [number, number],
  epoch: number | null,
): Promise<void> {
  const [la, lb] = [await layerLines(storeA, a), await layerLines(storeB, b)];
  expect(la.lines).toEqual(lb.lines);
  const inWindow = (t: number) => (epoch !== null ? t === epoch : t >= window[0] && t <= window[1]);
  la.lines.forEach((line, i) => {
    const name = line.split(' ')[0].replace(/\/$/, '');
    if (touched.includes(name)) {
      expect(inWindow(la.mtimes[i]), `${name} ${la.mtimes[i]}`).toBe(true);
      expect(inWindow(lb.mtimes[i]), `${name} ${lb.mtimes[i]}`).toBe(true);
    } else expect(la.mtimes[i], name).toBe(lb.mtimes[i]);
  });
  // Nothing time-dependent: the same bytes.
  if (epoch !== null || touched.length === 0) expect(a.digest).toBe(b.digest);
  const [ta, tb] = [await snapshotTree(storeA, a), await snapshotTree(storeB, b)];
  expect([...ta.keys()]).toEqual([...tb.keys()]);
  for (const [name, entry] of ta) {
    const other = tb.get(name) as { line: string; ns: bigint };
    expect(entry.line, name).toBe(other.line);
    if (touched.includes(name)) {
      for (const ns of [entry.ns, other.ns]) expect(Number(ns / 1_000_000_000n) >= window[0] - 1, name).toBe(true);
    } else expect(entry.ns, name).toBe(other.ns);
  }
}
