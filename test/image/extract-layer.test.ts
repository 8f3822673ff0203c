import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  commandSpecialFiles,
  contentPadding,
  encodeHeader,
  endOfArchive,
  extractLayer,
  layerTarBytes,
  opaqueWhiteoutEntry,
  type TarEntry,
  type TarHeader,
  whiteoutEntry,
} from '../../image/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-extract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let work: string;
let root: string;
let outside: string;

/** Everything under the outside marker directory: names, types, modes, contents. */
function snapshotOutside(): string[] {
  return readdirSync(outside, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const p = path.join(outside, name);
      const st = lstatSync(p);
      const body = st.isFile() ? readFileSync(p, 'utf8') : st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : '';
      return `${name} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.nlink} ${body}`;
    });
}

let before: string[];
beforeEach(() => {
  work = mkdtempSync(path.join(scratch, 'case-'));
  root = path.join(work, 'root');
  outside = path.join(work, 'outside');
  mkdirSync(root);
  mkdirSync(path.join(outside, 'sub'), { recursive: true });
  writeFileSync(path.join(outside, 'marker'), 'untouched');
  writeFileSync(path.join(outside, 'sub', 'keep'), 'keep');
  before = snapshotOutside();
});
afterEach(() => {
  // The outside directory is checked after every case, hostile or not.
  expect(snapshotOutside()).toEqual(before);
  expect(readdirSync(work).sort()).toEqual(['outside', 'root']);
});

const meta = { uid: 0, gid: 0, mtime: 1_600_000_000 };
type Raw = Partial<TarHeader> & { path: string; type: TarHeader['type']; body?: string };

/** A tar with exactly these headers, unchecked and unsorted: the way an attacker would write it. */
function rawTar(entries: Raw[]): Buffer {
  const parts: Buffer[] = [];
  for (const { body = '', ...h } of entries) {
    const data = Buffer.from(body);
    const header: TarHeader = { mode: 0o644, ...meta, ...h, size: h.type === 'file' ? data.length : 0 };
    parts.push(encodeHeader(header), h.type === 'file' ? data : Buffer.alloc(0), contentPadding(header.size));
  }
  parts.push(endOfArchive());
  return Buffer.concat(parts);
}

const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

describe('extractLayer applies layers', () => {
  it('creates files, directories, links, devices and fifos with their metadata', async () => {
    const entries: TarEntry[] = [
      { ...meta, path: 'bin', type: 'directory', mode: 0o750, uid: 12, gid: 34 },
      { ...meta, path: 'bin/tool', type: 'file', mode: 0o4755, content: Buffer.from('tool'), uid: 5, gid: 6 },
      { ...meta, path: 'bin/sh', type: 'symlink', mode: 0o777, linkname: '/bin/tool' },
      { ...meta, path: 'bin/tool2', type: 'hardlink', mode: 0o755, linkname: 'bin/tool' },
      { ...meta, path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
      { ...meta, path: 'dev/fifo', type: 'fifo', mode: 0o600 },
      {
        ...meta,
        path: 'x',
        type: 'file',
        mode: 0o644,
        content: Buffer.from('x'),
        xattrs: { 'user.k': Buffer.from('v') },
      },
    ];
    const result = await extractLayer(gzipSync(await layerTarBytes(entries)), root);
    expect(result).toEqual({ entries: 7, whiteouts: 0 });
    expect(tree(root)).toEqual(['bin', 'bin/sh', 'bin/tool', 'bin/tool2', 'dev', 'dev/fifo', 'dev/null', 'x']);
    const bin = statSync(path.join(root, 'bin'));
    expect([bin.mode & 0o7777, bin.uid, bin.gid, bin.mtimeMs / 1000]).toEqual([0o750, 12, 34, 1_600_000_000]);
    const tool = statSync(path.join(root, 'bin/tool'));
    expect([tool.mode & 0o7777, tool.uid, tool.gid, tool.nlink, tool.mtimeMs / 1000]).toEqual([
      0o4755, 5, 6, 2, 1_600_000_000,
    ]);
    expect(statSync(path.join(root, 'bin/tool2')).ino).toBe(tool.ino);
    expect(readlinkSync(path.join(root, 'bin/sh'))).toBe('/bin/tool');
    const dev = lstatSync(path.join(root, 'dev/null'));
    expect([dev.isCharacterDevice(), dev.rdev]).toEqual([true, 0x103]);
    expect(lstatSync(path.join(root, 'dev/fifo')).isFIFO()).toBe(true);
    expect(
      execFileSync('getfattr', ['--only-values', '-n', 'user.k', path.join(root, 'x')], { encoding: 'utf8' }),
    ).toBe('v');
  });

  it("never applies overlayfs's own attributes from a layer, and says which it left out", async () => {
    const warnings: string[] = [];
    const entries: TarEntry[] = [
      {
        ...meta,
        path: 'd',
        type: 'directory',
        mode: 0o755,
        xattrs: {
          'trusted.overlay.opaque': Buffer.from('y'),
          'user.overlay.redirect': Buffer.from('/x'),
          'user.k': Buffer.from('v'),
        },
      },
    ];
    await extractLayer(await layerTarBytes(entries), root, { onWarning: (m) => warnings.push(m) });
    const d = path.join(root, 'd');
    expect(execFileSync('getfattr', ['-d', '-m', '-', '--absolute-names', d], { encoding: 'utf8' })).toBe(
      `# file: ${d}\nuser.k="v"\n\n`,
    );
    expect(warnings).toEqual([
      `ignored xattr trusted.overlay.opaque on ${d}: overlayfs's own attributes are not taken from a layer`,
      `ignored xattr user.overlay.redirect on ${d}: overlayfs's own attributes are not taken from a layer`,
    ]);
  });

  it('lets the event loop run while it extracts a tar that is all in memory (its calls are synchronous)', async () => {
    const entries: TarEntry[] = Array.from({ length: 600 }, (_, i) => ({
      ...meta,
      path: `f${i}`,
      type: 'file',
      mode: 0o644,
      content: Buffer.from(`${i}`),
    }));
    const tar = await layerTarBytes(entries);
    let turns = 0;
    const tick = () => {
      turns++;
      timer = setImmediate(tick);
    };
    let timer = setImmediate(tick);
    const before = turns;
    await extractLayer(tar, root);
    clearImmediate(timer);
    expect(turns - before).toBeGreaterThanOrEqual(4);
    expect(readdirSync(root)).toHaveLength(600);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'sets owners in a setgid directory whose group a later entry changed',
    async () => {
      await extractLayer(rawTar([{ path: 's', type: 'directory', mode: 0o2775 }]), root);
      await extractLayer(
        rawTar([
          { path: 's/a', type: 'file', body: 'a' },
          { path: 's', type: 'directory', mode: 0o2775, gid: 50 },
          { path: 's/b', type: 'file', body: 'b' },
          { path: 's/c', type: 'file', body: 'c', gid: 50 },
        ]),
        root,
      );
      const owner = (name: string) => {
        const st = lstatSync(path.join(root, name));
        return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
      };
      expect(['s', 's/a', 's/b', 's/c'].map(owner)).toEqual(['0:50 2775', '0:0 644', '0:0 644', '0:50 644']);
    },
  );

  it('makes devices, FIFOs and xattrs with mknod, mkfifo and setfattr, run by the runner given', async () => {
    const calls: string[] = [];
    const run = async (command: string, args: readonly string[]) => {
      calls.push([command, ...args.map((a) => a.replace(root, 'ROOT'))].join(' '));
      execFileSync(command, [...args]);
    };
    const entries: TarEntry[] = [
      { ...meta, path: 'null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
      { ...meta, path: 'fifo', type: 'fifo', mode: 0o600 },
      {
        ...meta,
        path: 'x',
        type: 'file',
        mode: 0o644,
        content: Buffer.from('x'),
        xattrs: { 'user.k': Buffer.from('v') },
      },
    ];
    await extractLayer(await layerTarBytes(entries), root, { special: commandSpecialFiles(run) });
    expect(calls).toEqual(['mkfifo ROOT/fifo', 'mknod ROOT/null c 1 3', 'setfattr -h -n user.k -v 0x76 ROOT/x']);
    expect(lstatSync(path.join(root, 'null')).rdev).toBe(0x103);
    expect(
      execFileSync('getfattr', ['--only-values', '-n', 'user.k', path.join(root, 'x')], { encoding: 'utf8' }),
    ).toBe('v');
  });

  it('applies whiteouts and opaque directories over a lower layer', async () => {
    await extractLayer(
      rawTar([
        { path: 'etc/', type: 'directory', mode: 0o755 },
        { path: 'etc/a', type: 'file', body: 'a' },
        { path: 'etc/b', type: 'file', body: 'b' },
        { path: 'var/cache/old/', type: 'directory', mode: 0o755 },
        { path: 'var/cache/old/f', type: 'file', body: 'f' },
        { path: 'var/cache/g', type: 'file', body: 'g' },
        { path: 'gone/', type: 'directory', mode: 0o755 },
        { path: 'gone/x', type: 'file', body: 'x' },
      ]),
      root,
    );
    const result = await extractLayer(
      await layerTarBytes([
        whiteoutEntry('etc/a'),
        whiteoutEntry('gone'),
        whiteoutEntry('never-existed'),
        opaqueWhiteoutEntry('var/cache'),
        // Same-layer content of an opaque directory survives, even when it sorts before the marker.
        { ...meta, path: 'var/cache/-new', type: 'file', mode: 0o644, content: Buffer.from('n') },
        { ...meta, path: 'var/cache/new', type: 'file', mode: 0o644, content: Buffer.from('n') },
      ]),
      root,
    );
    expect(tree(root)).toEqual(['etc', 'etc/b', 'var', 'var/cache', 'var/cache/-new', 'var/cache/new']);
    expect(result).toEqual({ entries: 2, whiteouts: 4 });
  });

  it('replaces across types: file over dir, dir over file, keeps an existing dir', async () => {
    await extractLayer(
      rawTar([
        { path: 'd/', type: 'directory', mode: 0o755 },
        { path: 'd/inner', type: 'file', body: '1' },
        { path: 'f', type: 'file', body: 'file' },
        { path: 'keep/', type: 'directory', mode: 0o700 },
        { path: 'keep/old', type: 'file', body: 'old' },
      ]),
      root,
    );
    await extractLayer(
      rawTar([
        { path: 'd', type: 'file', body: 'now a file' },
        { path: 'f/', type: 'directory', mode: 0o755 },
        { path: 'keep/', type: 'directory', mode: 0o755 },
        { path: 'keep/new', type: 'file', body: 'new' },
      ]),
      root,
    );
    expect(tree(root)).toEqual(['d', 'f', 'keep', 'keep/new', 'keep/old']);
    expect(readFileSync(path.join(root, 'd'), 'utf8')).toBe('now a file');
    expect(statSync(path.join(root, 'keep')).mode & 0o777).toBe(0o755);
  });

  it('keeps the mode and times of the last entry of a directory listed twice, as docker does', async () => {
    await extractLayer(
      rawTar([
        { path: 'twice/', type: 'directory', mode: 0o700, mtime: 1_500_000_000 },
        { path: 'twice/a', type: 'file', body: 'a' },
        { path: 'twice/', type: 'directory', mode: 0o755, mtime: 1_500_000_100 },
      ]),
      root,
    );
    const st = statSync(path.join(root, 'twice'));
    expect(st.mode & 0o777).toBe(0o755);
    expect(st.mtimeMs).toBe(1_500_000_100_000);
    expect(tree(root)).toEqual(['twice', 'twice/a']);
  });
});

describe('extractLayer never touches anything outside the root', () => {
  const rel = () => path.relative(root, outside); // ../outside

  it('rejects names climbing out with ..', async () => {
    await expect(extractLayer(rawTar([{ path: '../outside/evil', type: 'file', body: 'x' }]), root)).rejects.toThrow(
      '"../outside/evil" is outside of the extraction root',
    );
    await expect(
      extractLayer(rawTar([{ path: 'a/../../outside/marker', type: 'file', body: 'x' }]), root),
    ).rejects.toThrow('is outside of the extraction root');
    await expect(extractLayer(rawTar([{ path: '../.wh.outside', type: 'file' }]), root)).rejects.toThrow(
      'is outside of the extraction root',
    );
  });

  it('puts absolute names under the root', async () => {
    await extractLayer(
      rawTar([
        { path: `${outside}/marker`, type: 'file', body: 'evil' },
        { path: '/../../x', type: 'file', body: 'x' },
      ]),
      root,
    );
    expect(readFileSync(path.join(root, outside, 'marker'), 'utf8')).toBe('evil');
    expect(readFileSync(path.join(root, 'x'), 'utf8')).toBe('x');
  });

  it('does not write through a symlinked parent directory (absolute or relative target)', async () => {
    await extractLayer(
      rawTar([
        { path: 'abs', type: 'symlink', linkname: outside },
        { path: 'abs/evil', type: 'file', body: 'x' },
        { path: 'abs/sub/keep', type: 'file', body: 'x' },
        { path: 'rel', type: 'symlink', linkname: `../../../../../../..${outside}` },
        { path: 'rel/evil2', type: 'file', body: 'x' },
        { path: 'up', type: 'symlink', linkname: rel() },
        { path: 'up/evil3', type: 'file', body: 'x' },
      ]),
      root,
    );
    expect(readFileSync(path.join(root, outside, 'evil'), 'utf8')).toBe('x');
    expect(readFileSync(path.join(root, outside, 'evil2'), 'utf8')).toBe('x');
    expect(readFileSync(path.join(root, 'outside', 'evil3'), 'utf8')).toBe('x');
  });

  it('replaces a symlink with a file instead of writing through it', async () => {
    await extractLayer(
      rawTar([
        { path: 'm', type: 'symlink', linkname: path.join(outside, 'marker') },
        { path: 'm', type: 'file', body: 'evil', mode: 0o777 },
        { path: 'd', type: 'symlink', linkname: outside },
        { path: 'd/', type: 'directory', mode: 0o777 },
      ]),
      root,
    );
    expect(lstatSync(path.join(root, 'm')).isFile()).toBe(true);
    expect(lstatSync(path.join(root, 'd')).isDirectory()).toBe(true);
  });

  it('refuses hard links that point outside or through symlinks to outside', async () => {
    await expect(
      extractLayer(rawTar([{ path: 'h', type: 'hardlink', linkname: '../outside/marker' }]), root),
    ).rejects.toThrow('is outside of the extraction root');
    await expect(
      extractLayer(
        rawTar([
          { path: 's', type: 'symlink', linkname: outside },
          { path: 'h2', type: 'hardlink', linkname: 's/marker', mode: 0o777, uid: 1234 },
        ]),
        root,
      ),
    ).rejects.toThrow('hard link h2 points to "s/marker", which is not a file');
    await expect(
      extractLayer(rawTar([{ path: 'h3', type: 'hardlink', linkname: `${outside}/marker` }]), root),
    ).rejects.toThrow('which is not a file');
  });

  it('does not delete through symlinks with whiteouts or opaque markers', async () => {
    await extractLayer(
      rawTar([
        { path: 'w', type: 'symlink', linkname: outside },
        { path: 'w/.wh.marker', type: 'file' },
        { path: 'w/.wh.sub', type: 'file' },
        { path: 'w/.wh..wh..opq', type: 'file' },
        { path: 'r', type: 'symlink', linkname: '../../outside' },
        { path: 'r/.wh..wh..opq', type: 'file' },
        { path: 'r/.wh.marker', type: 'file' },
      ]),
      root,
    );
    expect(readdirSync(root).sort()).toEqual(['r', 'w']);
  });

  it('sets no directory mode or time through a symlink that later replaced the directory or its parent', async () => {
    const sub = path.join(outside, 'sub');
    const times = () => [statSync(outside).mtimeMs, statSync(sub).mtimeMs, statSync(outside).mode, statSync(sub).mode];
    const before = times();
    await extractLayer(
      rawTar([
        { path: 'd', type: 'directory', mode: 0o777, mtime: 1000 },
        { path: 'd', type: 'symlink', linkname: sub },
        { path: 'p', type: 'directory', mode: 0o777, mtime: 1000 },
        { path: 'p/sub', type: 'directory', mode: 0o777, mtime: 1000 },
        { path: 'p', type: 'symlink', linkname: outside },
        { path: 'w', type: 'directory', mode: 0o777, mtime: 1000 },
        { path: '.wh.w', type: 'file' },
        { path: 'w', type: 'symlink', linkname: outside },
      ]),
      root,
    );
    expect(times()).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['d', 'p', 'w']);
    expect(readlinkSync(path.join(root, 'p'))).toBe(outside);
  });

  it('a symlink chain loop is an error, not a hang', async () => {
    await expect(
      extractLayer(
        rawTar([
          { path: 'a', type: 'symlink', linkname: 'b' },
          { path: 'b', type: 'symlink', linkname: 'a' },
          { path: 'a/x', type: 'file', body: 'x' },
        ]),
        root,
      ),
    ).rejects.toThrow('too many levels of symbolic links in a');
  });
});
