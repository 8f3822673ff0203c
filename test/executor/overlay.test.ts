import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeMounts,
  cleanMountsUnder,
  listMountsUnder,
  MountError,
  mountLowerView,
  mountOverlay,
  parseMountInfo,
  withOverlay,
} from '../../executor/index.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';

const run = promisify(execFile);
const skipReason = isolationUnavailable();

describe('parseMountInfo', () => {
  it('reads targets, types and sources with octal escapes', () => {
    const text =
      '44 26 0:38 / /tmp/ov/m rw,relatime - overlay overlay rw,lowerdir=l2:l1,upperdir=u,workdir=w\n' +
      '45 26 0:39 / /tmp/with\\040space rw - tmpfs tmp\\134fs rw\n';
    expect(parseMountInfo(text)).toEqual([
      { target: '/tmp/ov/m', fsType: 'overlay', source: 'overlay' },
      { target: '/tmp/with space', fsType: 'tmpfs', source: 'tmp\\fs' },
    ]);
  });
});

describe.skipIf(skipReason !== undefined)('overlay snapshots', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchDir();
  });
  afterAll(async () => {
    await cleanMountsUnder(dir);
    await removeScratch(dir);
  });

  async function makeLayers(root: string, count: number): Promise<string[]> {
    const lowers: string[] = [];
    for (let i = 0; i < count; i++) {
      const layer = path.join(root, i.toString(36).padStart(2, '0'));
      await mkdir(layer, { recursive: true });
      await writeFile(path.join(layer, `layer-${i}`), `${i}\n`);
      await writeFile(path.join(layer, 'top'), `${i}\n`);
      lowers.unshift(layer); // top-most first
    }
    return lowers;
  }

  it('mounts 120 lower layers with short relative paths, top-most winning', async () => {
    const snapshots = path.join(dir, 'snaps');
    const lowers = await makeLayers(snapshots, 120);
    await withOverlay(
      {
        lowerDirs: lowers,
        upperDir: path.join(snapshots, 'up'),
        workDir: path.join(snapshots, 'wk'),
        target: path.join(dir, 'm120'),
      },
      async (mount) => {
        expect(await readFile(path.join(mount.target, 'top'), 'utf8')).toBe('119\n');
        expect((await readdir(mount.target)).length).toBe(121);
        await writeFile(path.join(mount.target, 'new'), 'x');
      },
    );
    expect(await readdir(path.join(snapshots, 'up'))).toEqual(['new']);
    expect(await listMountsUnder(dir)).toEqual([]);
  });

  it('explains when the option string outgrows a page', async () => {
    const long = path.join(dir, 'a-rather-long-directory-name-for-snapshots-to-overflow-the-page');
    const lowers = await makeLayers(long, 70);
    await expect(
      mountOverlay({
        lowerDirs: lowers,
        upperDir: path.join(dir, 'u'),
        workDir: path.join(dir, 'w'),
        target: path.join(dir, 'mx'),
        cwd: '/',
      }),
    ).rejects.toThrow(
      /^overlay mount options are \d+ bytes, more than the kernel's 4095: use shorter snapshot paths \(70 lower dirs\)$/,
    );
  });

  it('reports a failed mount and keeps nothing registered', async () => {
    const before = activeMounts().length;
    const attempt = mountOverlay({
      lowerDirs: [path.join(dir, 'missing')],
      upperDir: path.join(dir, 'u2'),
      workDir: path.join(dir, 'w2'),
      target: path.join(dir, 'm2'),
    });
    await expect(attempt).rejects.toThrow(MountError);
    await expect(attempt).rejects.toThrow(/^cannot mount overlay at .*m2: /);
    expect(activeMounts().length).toBe(before);
  });

  it('unmounts when the body throws', async () => {
    const lower = path.join(dir, 'l3');
    await mkdir(lower, { recursive: true });
    await expect(
      withOverlay(
        {
          lowerDirs: [lower],
          upperDir: path.join(dir, 'u3'),
          workDir: path.join(dir, 'w3'),
          target: path.join(dir, 'm3'),
        },
        async () => {
          throw new Error('step failed');
        },
      ),
    ).rejects.toThrow('step failed');
    expect(await listMountsUnder(dir)).toEqual([]);
  });

  it('offers a read-only merged view of the lower layers', async () => {
    const lowers = await makeLayers(path.join(dir, 'view'), 3);
    const view = await mountLowerView(lowers, path.join(dir, 'v'));
    expect(await readFile(path.join(view.root, 'top'), 'utf8')).toBe('2\n');
    await expect(writeFile(path.join(view.root, 'x'), 'x')).rejects.toThrow(/EROFS/);
    await view.release();
    expect(await listMountsUnder(dir)).toEqual([]);
    const single = await mountLowerView([lowers[0]], path.join(dir, 'v1'));
    expect(single.root).toBe(lowers[0]);
  });

  /** Whether the kernel shows the mount at `target` as volatile (`volatile`; `fsync=volatile` since Linux 6.x). */
  async function showsVolatile(target: string): Promise<boolean> {
    const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === target);
    const options = line?.split(' - ')[1]?.split(' ')[2]?.split(',') ?? [];
    return options.includes('volatile') || options.includes('fsync=volatile');
  }

  it('mounts volatile only when asked, and says so', async () => {
    const lowers = await makeLayers(path.join(dir, 'vol'), 2);
    const mounted = async (name: string, volatile?: boolean) =>
      mountOverlay({
        lowerDirs: lowers,
        upperDir: path.join(dir, name, 'u'),
        workDir: path.join(dir, name, 'w'),
        target: path.join(dir, name, 'm'),
        ...(volatile === undefined ? {} : { volatile }),
      });
    const plain = await mounted('plain');
    const fast = await mounted('fast', true);
    try {
      expect(plain.volatile).toBe(false);
      expect(await showsVolatile(plain.target)).toBe(false);
      expect(fast.volatile).toBe(true);
      expect(await showsVolatile(fast.target)).toBe(true);
      await writeFile(path.join(fast.target, 'new'), 'data\n');
    } finally {
      await plain.unmount();
      await fast.unmount();
    }
    // The upper dir keeps what was written, and is a valid lower dir afterwards.
    expect(await readFile(path.join(dir, 'fast/u/new'), 'utf8')).toBe('data\n');
    const view = await mountLowerView([path.join(dir, 'fast/u'), ...lowers], path.join(dir, 'fast/v'));
    try {
      expect(await readFile(path.join(view.root, 'new'), 'utf8')).toBe('data\n');
    } finally {
      await view.release();
    }
    // A read-only overlay has nothing to be volatile about.
    const ro = await mountOverlay({ lowerDirs: lowers, target: path.join(dir, 'ro-m'), volatile: true });
    try {
      expect(ro.volatile).toBe(false);
      expect(await showsVolatile(ro.target)).toBe(false);
    } finally {
      await ro.unmount();
    }
  });

  it('lists and cleans mounts left behind by a dead process', async () => {
    const lower = path.join(dir, 'l4');
    await mkdir(lower, { recursive: true });
    for (const name of ['a', 'b']) {
      await mkdir(path.join(dir, 'left', name), { recursive: true });
      await run('mount', ['-t', 'tmpfs', 'tmpfs', path.join(dir, 'left', name)]);
    }
    expect((await listMountsUnder(path.join(dir, 'left'))).map((m) => [path.basename(m.target), m.fsType])).toEqual([
      ['a', 'tmpfs'],
      ['b', 'tmpfs'],
    ]);
    expect(await cleanMountsUnder(path.join(dir, 'left'))).toEqual([
      path.join(dir, 'left/a'),
      path.join(dir, 'left/b'),
    ]);
    expect(await listMountsUnder(path.join(dir, 'left'))).toEqual([]);
  });

  it('unmounts when the process gets SIGTERM', async () => {
    const child = path.join(dir, 'child');
    await mkdir(path.join(child, 'lower'), { recursive: true });
    const script = path.join(dir, 'mount-and-wait.mjs');
    await build({
      entryPoints: [path.join(import.meta.dirname, 'programs/mount-and-wait.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    const proc = spawn(process.execPath, [script, child], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) =>
      proc.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    expect(line).toBe(`mounted ${path.join(child, 'merged')}\n`);
    expect((await listMountsUnder(child)).length).toBe(1);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    proc.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(await listMountsUnder(child)).toEqual([]);
  });
});
