// Issue 6's layer diff check: a build whose RUN steps delete, rename, replace a directory by a file and back, link
// across layers, change only a mode and carry an extended attribute; the image, saved as an OCI archive and unpacked
// by umoci (a tool nobody here wrote), must equal the filesystem the last step's container saw. Twice: against the
// overlay of every step's layer over the base (type, mode, owner, content, link target, hard-link group, extended
// attributes; not times: the tar holds whole seconds), and against what the last container listed from inside
// (mode, owner, size, link count), which is what caught a hard link lost across layers.
import { execFile, execFileSync } from 'node:child_process';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReadView } from '../../executor/build/lower-dirs.js';
import { readTreeXattrs } from '../../executor/index.js';
import { layerTarBytes, type Store, saveOciArchive } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const exec = promisify(execFile);
const hasUmoci = (() => {
  try {
    execFileSync('umoci', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dockerfile = `FROM busybox
ADD attrs.tar /
RUN mkdir -p /d/sub && echo one > /d/sub/f && echo keep > /keep && echo a > /ren-a && mkdir /swap && echo s > /swap/in && echo base > /linked
RUN rm /keep && mv /ren-a /ren-b && rm -r /swap && echo file > /swap && ln /linked /linked2 && chmod 600 /d/sub/f && chmod 751 /attr/file
RUN rm /swap && mkdir /swap && echo back > /swap/again && rm /bin/vi && chown 1:2 /d/sub
RUN ${listing('/listing')}
`;

/**
 * A shell command that writes what the container sees of its root filesystem to `out`: each path with its mode (hex),
 * owner and, for all but directories, size and link count (what both sides can tell alike). The kernel's
 * filesystems, the runtime's bind-mounted files and `out` itself are not part of any layer.
 */
function listing(out: string): string {
  return (
    'find / -xdev \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o -print | ' +
    `grep -v -x -E '/(proc|sys|dev|etc/hosts|etc/resolv.conf|etc/hostname|listing)' | sort | ` +
    'while read -r p; do if [ -d "$p" ] && [ ! -L "$p" ]; then stat -c "%n %f %u %g" "$p"; ' +
    `else stat -c "%n %f %u %g %s %h" "$p"; fi; done > ${out}`
  );
}

/** Every entry below `root`: type and mode, owner, content or link target, hard-link group, extended attributes. */
async function describeTree(root: string): Promise<Map<string, string>> {
  const xattrs = await readTreeXattrs(root);
  const tree = new Map<string, string>();
  const groups = new Map<number, string>();
  for (const rel of (await readdir(root, { recursive: true })).sort()) {
    const full = path.join(root, rel);
    const st = await lstat(full);
    let detail = '';
    if (st.isSymbolicLink()) detail = `-> ${await readlink(full)}`;
    else if (st.isFile()) {
      detail = (await readFile(full)).toString('base64');
      if (st.nlink > 1) {
        detail += ` link:${groups.get(st.ino) ?? rel}`;
        if (!groups.has(st.ino)) groups.set(st.ino, rel);
      }
    }
    const attributes = Object.entries(xattrs.get(rel) ?? {})
      .map(([name, value]) => `${name}=${Buffer.from(value).toString('hex')}`)
      .sort()
      .join(',');
    tree.set(rel, `${st.mode.toString(8)} ${st.uid}:${st.gid} ${detail} ${attributes}`.trimEnd());
  }
  return tree;
}

describe.skipIf(isolationUnavailable() !== undefined || !hasUmoci)('layer diffs, unpacked by umoci', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  it("equal the last container's filesystem", async () => {
    const ctx = await freshDir('c');
    const attrs = await layerTarBytes([
      { path: 'attr', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 1_700_000_000 },
      {
        path: 'attr/file',
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 1_700_000_000,
        content: Buffer.from('with attributes\n'),
        xattrs: { 'user.note': Buffer.from('kept') },
      },
    ]);
    await writeContext(ctx, [
      { path: 'Dockerfile', content: dockerfile },
      { path: 'attrs.tar', content: attrs },
    ]);
    const run = await buildIn(store, ctx, { tags: ['diffs:1'], noCache: true });
    expect(run.error).toBeNull();

    const container = await withReadView(store, run.result!.fs, (root) => describeTree(root));
    const dir = await freshDir('u');
    const archive = path.join(dir, 'image.tar');
    await saveOciArchive(store, ['diffs:1'], archive);
    await exec('tar', ['-xf', archive, '-C', dir]);
    await exec('umoci', ['unpack', '--image', `${dir}:1`, path.join(dir, 'bundle')]);
    const unpacked = await describeTree(path.join(dir, 'bundle', 'rootfs'));

    expect([...unpacked.keys()].filter((p) => !container.has(p))).toEqual([]);
    expect([...container.keys()].filter((p) => !unpacked.has(p))).toEqual([]);
    for (const [rel, description] of container) expect(unpacked.get(rel), rel).toBe(description);
    // And what the last step's container listed from inside, against the same listing of what umoci unpacked.
    const rootfs = path.join(dir, 'bundle', 'rootfs');
    const inside = await readFile(path.join(rootfs, 'listing'), 'utf8');
    // The same command over the unpacked tree (chrooted, so paths are the same; its output replaces the first).
    await exec('chroot', [rootfs, '/bin/sh', '-c', listing('/listing')]);
    const outside = await readFile(path.join(rootfs, 'listing'), 'utf8');
    expect(inside.split('\n').length).toBeGreaterThan(100);
    expect(outside).toBe(inside);
    expect(inside).toMatch(/^\/linked2 81a4 0 0 5 2$/m);
    // What the steps did is there: not an empty comparison.
    expect(container.has('keep') || container.has('ren-a') || container.has('bin/vi')).toBe(false);
    expect(container.get('ren-b')).toBe('100644 0:0 YQo=');
    expect(container.get('swap')).toBe('40755 0:0');
    expect(container.get('swap/again')).toBe('100644 0:0 YmFjawo=');
    expect(container.has('swap/in')).toBe(false);
    expect(container.get('linked2')).toBe('100644 0:0 YmFzZQo= link:linked');
    expect(container.get('d/sub')).toBe('40755 1:2');
    expect(container.get('d/sub/f')).toBe('100600 0:0 b25lCg==');
    expect(container.get('attr/file')).toBe(
      `100751 0:0 ${Buffer.from('with attributes\n').toString('base64')} user.note=6b657074`,
    );
  });
});
