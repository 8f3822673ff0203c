// A COPY or WORKDIR after RUN steps runs while their layers are still being committed (stage-runner.ts,
// layer-step.ts): it reads the layers below where they are, held, and its own layer takes its place after them once
// they have settled. The RUN commits are gated here (vi.mock of layer-commit.ts) until the direct step has written
// its files (vi.mock of copy-direct.ts), so a step that waited for them would only reach its write once the gate gives
// up. What must hold: the
// layers, their order and the image are what they are when the commits finish first; the parent directories a
// pending RUN made keep its metadata; a failed RUN commit fails the build naming that RUN, leaves nothing behind,
// and the step built on it is not recorded.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LayerRef } from '../../executor/build/layer-ref.js';
import { exportFilesystem, listMountsUnder, snapshotIdOf } from '../../executor/index.js';
import { readTar, type Store, uncompressedLayer } from '../../image/index.js';
import {
  buildIn,
  cachedSteps,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

type Mode = 'off' | 'direct-first' | 'commits-first' | 'published-first' | 'fail' | 'fail-first' | 'stored-after-run';

const control = vi.hoisted(() => {
  const state = {
    mode: 'off' as Mode,
    events: [] as string[],
    directWritten: Promise.resolve(),
    writeDirect: () => {},
    runsCommitted: Promise.resolve(),
    commitRuns: () => {},
    runCommits: 0,
    runCommitsExpected: 0,
    published: Promise.resolve(),
    publish: () => {},
    /** The wait of the direct step's write for a publish ran out: the layer below was held through the write. */
    gaveUp: false,
    reset(mode: Mode, runCommitsExpected = 0) {
      state.mode = mode;
      state.events = [];
      state.gaveUp = false;
      state.published = new Promise((resolve) => {
        state.publish = resolve;
      });
      state.runCommits = 0;
      state.runCommitsExpected = runCommitsExpected;
      state.directWritten = new Promise((resolve) => {
        state.writeDirect = resolve;
      });
      state.runsCommitted = new Promise((resolve) => {
        state.commitRuns = resolve;
      });
    },
  };
  return state;
});

/** Never reached when the step runs beside the commits; ends the wait of one that waits for them (the old way). */
const deadlockBreaker = (ms = 3000) => new Promise<void>((resolve) => setTimeout(resolve, ms));

vi.mock('../../executor/build/snapshots.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../executor/build/snapshots.js')>();
  return {
    ...original,
    async publishSnapshot(...args: Parameters<typeof original.publishSnapshot>) {
      const published = await original.publishSnapshot(...args);
      if (control.mode === 'published-first') control.events.push('published');
      control.publish();
      return published;
    },
  };
});

vi.mock('../../executor/build/layer-commit.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../executor/build/layer-commit.js')>();
  return {
    ...original,
    // An overlay step's layer (here: the RUNs').
    async commitStepLayer(...args: Parameters<typeof original.commitStepLayer>) {
      if (control.mode === 'direct-first' || control.mode === 'fail') {
        await Promise.race([control.directWritten, deadlockBreaker()]);
      }
      if (control.mode === 'fail' || (control.mode === 'fail-first' && control.events.length === 0)) {
        control.events.push('run commit failed');
        throw new Error('injected commit failure');
      }
      const committed = await original.commitStepLayer(...args);
      control.events.push('run committed');
      if (++control.runCommits === control.runCommitsExpected) control.commitRuns();
      return committed;
    },
    // A direct step's layer blob (the COPY's, the WORKDIR's): stored inline or beside the next steps (direct-step.ts).
    async commitTarChunks(...args: Parameters<typeof original.commitTarChunks>) {
      if (control.mode === 'stored-after-run') {
        await Promise.race([
          control.runsCommitted,
          deadlockBreaker().then(() => {
            control.gaveUp = true;
          }),
        ]);
      }
      const committed = await original.commitTarChunks(...args);
      if (control.mode === 'stored-after-run') control.events.push('direct stored');
      return committed;
    },
  };
});

vi.mock('../../executor/build/copy-direct.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../executor/build/copy-direct.js')>();
  return {
    ...original,
    // A direct step's files and tar entries (the COPY's, the WORKDIR's).
    async *writeDirect(...args: Parameters<typeof original.writeDirect>) {
      if (control.mode === 'commits-first') await control.runsCommitted;
      if (control.mode === 'published-first') {
        await Promise.race([
          control.published,
          deadlockBreaker(1000).then(() => {
            control.gaveUp = true;
          }),
        ]);
      }
      yield* original.writeDirect(...args);
      control.events.push('direct written');
      control.writeDirect();
    },
  };
});

interface Header {
  readonly line: string;
  readonly mtime: number;
}

/** Each entry of a layer: `type mode uid:gid size`, and its mtime. */
async function headers(store: Store, layer: LayerRef): Promise<Map<string, Header>> {
  const out = new Map<string, Header>();
  for await (const entry of readTar(uncompressedLayer(store, layer))) {
    for await (const _ of entry.body()) {
      // drained: the reader needs each body consumed before the next header
    }
    const h = entry.header;
    out.set(h.path.replace(/\/$/, ''), {
      line: `${h.type} ${h.mode.toString(8)} ${h.uid}:${h.gid} ${h.size}`,
      mtime: h.mtime,
    });
  }
  return out;
}

describe.skipIf(isolationUnavailable() !== undefined)('a direct step beside the RUN commits below it', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let baseLayers: number;
  beforeAll(async () => {
    store = await storeWithBusybox();
    const base = await build('FROM busybox\n');
    baseLayers = base.result!.fs.layers.length;
  });
  beforeEach(() => control.reset('off'));

  async function build(dockerfile: string, options: { noCache?: boolean; epoch?: string } = {}) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'f', content: 'copied\n' },
    ]);
    return buildIn(store, ctx, {
      noCache: options.noCache ?? true,
      ...(options.epoch === undefined ? {} : { buildArgs: { SOURCE_DATE_EPOCH: options.epoch } }),
    });
  }

  async function leftovers(): Promise<unknown[]> {
    const dirs = (await readdir(store.paths.snapshots)).filter((name) => /^t[a-z]-\d+-/.test(name));
    return [...dirs, ...(await listMountsUnder(store.root))];
  }

  const twoRunsAndCopy = 'FROM busybox\nRUN echo one > /one\nRUN echo two > /two\nCOPY f /f\n';

  it('writes the COPY layer before the RUN layers below it are committed; the image is the one made after them', async () => {
    control.reset('direct-first', 2);
    const beside = await build(twoRunsAndCopy, { epoch: '1700000000' });
    expect(beside.error).toBeNull();
    expect(control.events).toEqual(['direct written', 'run committed', 'run committed']);
    const layers = beside.result!.fs.layers;
    expect(layers).toHaveLength(baseLayers + 3);
    const own = await Promise.all(
      layers.slice(baseLayers).map(async (layer) => [...(await headers(store, layer)).keys()]),
    );
    expect(own).toEqual([['one'], ['two'], ['f']]);
    // Ends in order: each RUN's DONE before the COPY's.
    const ends = beside.log.split('\n').filter((line) => / DONE /.test(line));
    const idOf = (title: string) => new RegExp(`^(#\\d+) \\[\\d/4\\] ${title}`, 'm').exec(beside.log)?.[1];
    const order = ['RUN echo one', 'RUN echo two', 'COPY f'].map((title) =>
      ends.findIndex((line) => line.startsWith(`${idOf(title)} DONE`)),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    control.reset('commits-first', 2);
    const after = await build(twoRunsAndCopy, { epoch: '1700000000' });
    expect(after.error).toBeNull();
    expect(control.events).toEqual(['run committed', 'run committed', 'direct written']);
    expect(after.result!.fs.layers).toEqual(layers);
    expect(after.result!.imageId).toBe(beside.result!.imageId);
    expect(await leftovers()).toEqual([]);
  });

  it('gives a copy into a directory a pending RUN made that directory’s metadata, and its parent’s times', async () => {
    const dockerfile = [
      'FROM busybox',
      "RUN mkdir -p /x/y && chmod 700 /x/y && chown 1:2 /x/y && touch -d '2001-02-03 04:05:06' /x",
      "RUN echo 'app:x:1234:1234::/:/bin/sh' >> /etc/passwd && echo 'app:x:1234:' >> /etc/group",
      'COPY --chown=app f /x/y/',
      'WORKDIR /x/y/w',
    ].join('\n');
    control.reset('direct-first', 2);
    const beside = await build(`${dockerfile}\n`);
    expect(beside.error).toBeNull();
    expect(control.events.slice(0, 3)).toEqual(['direct written', 'run committed', 'run committed']);
    const layers = beside.result!.fs.layers.slice(baseLayers);
    const [made, , copied, workdir] = await Promise.all(layers.map((layer) => headers(store, layer)));
    // `x` only leads to where the copy creates its file: copied up with the pending layer's metadata and times.
    expect(copied.get('x')).toEqual(made.get('x'));
    expect(made.get('x')?.mtime).toBe(Date.UTC(2001, 1, 3, 4, 5, 6) / 1000);
    // `x/y` has the file created in it: its owner and mode, a new mtime.
    expect(copied.get('x/y')?.line).toBe('directory 700 1:2 0');
    expect(copied.get('x/y')?.line).toBe(made.get('x/y')?.line);
    // The owner named by a user the RUN just before added.
    expect(copied.get('x/y/f')?.line).toBe('file 644 1234:1234 7');
    // WORKDIR ran on the settled layers, after the COPY: the directory it creates in keeps the copy's metadata.
    expect(workdir.get('x/y')?.line).toBe('directory 700 1:2 0');
    expect(workdir.get('x/y/w')?.line).toBe('directory 755 0:0 0');
    expect(await leftovers()).toEqual([]);
  });

  it('fails the build naming the RUN whose commit failed, leaves nothing behind and records no step on it', async () => {
    control.reset('fail');
    const dockerfile = 'FROM busybox\nRUN echo three > /three\nCOPY f /f\n';
    const failed = await build(dockerfile, { noCache: false });
    expect(control.events).toEqual(['direct written', 'run commit failed']);
    expect(failed.error?.message).toBe('injected commit failure');
    expect(failed.error).toMatchObject({ details: { line: 2, instruction: '[2/3] RUN echo three > /three' } });
    const runId = /^(#\d+) \[2\/3\] RUN/m.exec(failed.log)?.[1];
    const copyId = /^(#\d+) \[3\/3\] COPY/m.exec(failed.log)?.[1];
    const ends = failed.log.split('\n').filter((line) => /^#\d+ (DONE|ERROR|CACHED)/.test(line));
    expect(ends.slice(-2).map((line) => line.replace(/ DONE \d+\.\ds$/, ' DONE'))).toEqual([
      `${runId} ERROR: injected commit failure`,
      `${copyId} DONE`,
    ]);
    expect(await leftovers()).toEqual([]);

    control.reset('off');
    const again = await build(dockerfile, { noCache: false });
    expect(again.error).toBeNull();
    // Neither the RUN nor the COPY built on its failed layer was recorded.
    expect(cachedSteps(again.log)).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it('records no RUN whose commit went on beside that of a RUN below it which failed', async () => {
    control.reset('fail-first');
    const dockerfile = 'FROM busybox\nRUN echo five > /five\nRUN echo six > /six\n';
    const failed = await build(dockerfile, { noCache: false });
    expect(failed.error?.message).toBe('injected commit failure');
    expect(failed.error).toMatchObject({ details: { line: 2, instruction: '[2/3] RUN echo five > /five' } });
    expect(await leftovers()).toEqual([]);
    control.reset('off');
    const again = await build(dockerfile, { noCache: false });
    expect(again.error).toBeNull();
    expect(cachedSteps(again.log)).toEqual([]);
  });

  it('runs a WORKDIR beside the commits too, and a RUN after it on settled layers', async () => {
    control.reset('direct-first', 1);
    const run = await build('FROM busybox\nRUN echo four > /four\nWORKDIR /w\nRUN ls / > /w/list\n');
    expect(run.error).toBeNull();
    expect(control.events).toEqual(['direct written', 'run committed', 'run committed']);
    const own = await Promise.all(
      run.result!.fs.layers.slice(baseLayers).map(async (layer) => [...(await headers(store, layer)).keys()]),
    );
    expect(own).toEqual([['four'], ['w'], ['w', 'w/list']]);
    expect(await leftovers()).toEqual([]);
  });

  it('runs the RUN after a WORKDIR and a COPY before their small layers are stored, and records all three', async () => {
    control.reset('stored-after-run', 1);
    const dockerfile = 'FROM busybox\nWORKDIR /w\nCOPY f /w/f\nRUN cat /w/f > /w/g\n';
    const run = await build(dockerfile, { noCache: false });
    expect(run.error).toBeNull();
    expect(control.gaveUp).toBe(false);
    expect(control.events).toEqual([
      'direct written',
      'direct written',
      'run committed',
      'direct stored',
      'direct stored',
    ]);
    const own = await Promise.all(
      run.result!.fs.layers.slice(baseLayers).map(async (layer) => [...(await headers(store, layer)).keys()]),
    );
    expect(own).toEqual([['w'], ['w', 'w/f'], ['w', 'w/g']]);
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'w/g'), 'utf8')).toBe('copied\n');
    expect(await leftovers()).toEqual([]);
    control.reset('off');
    const again = await build(dockerfile, { noCache: false });
    expect(cachedSteps(again.log)).toEqual(['[2/4] WORKDIR /w', '[3/4] COPY f /w/f', '[4/4] RUN cat /w/f > /w/g']);
    expect(again.result!.imageId).toBe(run.result!.imageId);
  });

  it('lets the RUN layer below be published while the copy is written, when the write reads nothing there', async () => {
    control.reset('published-first', 1);
    const run = await build('FROM busybox\nRUN mkdir /app && echo 1 > /app/one\nCOPY f /app/src/\n');
    expect(run.error).toBeNull();
    expect(control.events).toEqual(['run committed', 'published', 'direct written', 'published']);
    expect(control.gaveUp).toBe(false);
    const copied = await headers(store, run.result!.fs.layers.at(-1)!);
    expect([...copied.keys()]).toEqual(['app', 'app/src', 'app/src/f']);
    expect(await leftovers()).toEqual([]);
    // What the probe read of `app` in the pending layer is remembered for its snapshot (dir-xattr-memo.ts), written
    // once it was published, as when the copy reads a settled layer: a later copy onto it needs no getfattr.
    const memo = `${snapshotIdOf(run.result!.fs.layers.at(-2)!.diffId)}.json`;
    const memos = () => readdir(path.join(store.paths.cache, 'dir-xattrs')).catch(() => [] as string[]);
    for (let i = 0; i < 300 && !(await memos()).includes(memo); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await memos()).toContain(memo);
  });

  it('holds the RUN layer below through the write when the copy keeps the times of a directory there', async () => {
    control.reset('published-first', 1);
    // `p` only leads to where the file is created: it keeps the kernel's nanosecond times, copied by `touch -r`.
    const run = await build('FROM busybox\nRUN mkdir -p /p/q\nCOPY f /p/q/\n');
    expect(run.error).toBeNull();
    expect(control.gaveUp).toBe(true);
    expect(control.events).toEqual(['run committed', 'direct written', 'published', 'published']);
    const [made, copied] = await Promise.all(run.result!.fs.layers.slice(-2).map((layer) => headers(store, layer)));
    expect(copied.get('p')).toEqual(made.get('p'));
    expect(await leftovers()).toEqual([]);
  });

  it('runs an ADD and a COPY that need the overlay beside the commits too, on the pending layers', async () => {
    // `/d/f` exists below: the COPY replaces it through the overlay (copy-direct.ts), as ADD always works.
    const dockerfile = [
      'FROM busybox',
      'RUN mkdir /d && echo old > /d/f && echo kept > /d/g',
      'COPY f /d/f',
      'RUN echo again > /again',
      'ADD f /d/added',
      'RUN cat /d/f /d/g /d/added /again > /all',
    ].join('\n');
    const run = await build(`${dockerfile}\n`);
    expect(run.error).toBeNull();
    const own = await Promise.all(
      run.result!.fs.layers.slice(baseLayers).map(async (layer) => [...(await headers(store, layer)).keys()]),
    );
    expect(own).toEqual([['d', 'd/f', 'd/g'], ['d', 'd/f'], ['again'], ['d', 'd/added'], ['all']]);
    const out = await freshDir('o');
    await exportFilesystem(store, run.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'all'), 'utf8')).toBe('copied\nkept\ncopied\nagain\n');
    expect(await leftovers()).toEqual([]);
  });
});
