// What an unpacked layer looks like, exactly: every path with its type, mode, owner, times, content, link
// target, device number, hard-link group and xattrs, for a layer holding every kind of entry (long names,
// implicit parents, setuid/setgid/sticky modes, hard links, devices, xattrs) applied onto a lower tree with
// whiteouts and replacements, and unpacked as a snapshot. The listings were taken with the extractor before it
// was made faster (fs/promises, one awaited call per syscall); the faster one must produce the same trees.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as importRun } from '../../cli/commands/import/run.js';
import { ensureSnapshot, snapshotDir } from '../../executor/build/snapshots.js';
import {
  type Digest,
  extractLayer,
  OciMediaType,
  opaqueWhiteoutEntry,
  Store,
  type TarEntry,
  tarChunks,
  whiteoutEntry,
} from '../../image/index.js';
import { capture } from '../cli/image-helpers.js';
import { isolationUnavailable, removeScratch, scratchDir } from './helpers.js';
import { treeListing } from './tree-listing.js';

const skipReason = isolationUnavailable();

let time = 1_500_000_000;
/** Each entry gets its own mtime, so a time set on the wrong path shows. */
const at = () => ({ mtime: time++ });
const dir = (p: string, mode = 0o755, uid = 0, gid = 0): TarEntry => ({
  path: p,
  type: 'directory',
  mode,
  uid,
  gid,
  ...at(),
});
const file = (p: string, content: string | Buffer, mode = 0o644, uid = 0, gid = 0): TarEntry => ({
  path: p,
  type: 'file',
  mode,
  uid,
  gid,
  ...at(),
  content: Buffer.from(content),
});
const symlink = (p: string, linkname: string, uid = 0, gid = 0): TarEntry => ({
  path: p,
  type: 'symlink',
  mode: 0o777,
  uid,
  gid,
  linkname,
  ...at(),
});
const hardlink = (p: string, linkname: string): TarEntry => ({
  path: p,
  type: 'hardlink',
  mode: 0o644,
  uid: 0,
  gid: 0,
  linkname,
  ...at(),
});

const big = Buffer.alloc(300_000);
for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 11)) & 0xff;
const longDir = `long/${'d'.repeat(90)}/${'e'.repeat(90)}`;
const ping = Buffer.from('0100000200200000000000000000000000000000', 'hex');

/** A layer with every kind of entry, in an order a real tar could have (parents first, some implicit). */
const richEntries = (): TarEntry[] => [
  dir('bin'),
  file('bin/suid', '#!suid\n', 0o4755),
  file('bin/sgid', '#!sgid\n', 0o2711, 0, 42),
  { ...file('bin/ping', 'ping\n', 0o755), xattrs: { 'security.capability': ping } },
  hardlink('bin/suid-link', 'bin/suid'),
  symlink('bin/sh', '/bin/suid'),
  symlink('bin/rel', '../etc/passwd', 1000, 1000),
  dir('etc', 0o755),
  file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n'),
  file('etc/shadow', 'root:*::\n', 0o640, 0, 42),
  file('etc/empty', ''),
  { ...dir('etc/conf.d', 0o750, 0, 4), xattrs: { 'user.dir': Buffer.from('d') } },
  {
    ...file('etc/conf.d/a.conf', 'a=1\n'),
    xattrs: { 'user.bin': Buffer.from([0, 1, 255]), 'user.t': Buffer.from('x') },
  },
  dir('home', 0o755),
  dir('home/user', 0o700, 1000, 1000),
  file('home/user/.profile', 'PS1=$\n', 0o600, 1000, 1000),
  dir('tmp', 0o1777),
  dir('srv', 0o2775, 0, 50),
  file('srv/data', 'srv\n', 0o664, 0, 0),
  dir('srv/sub', 0o755, 0, 0),
  dir('ro', 0o555),
  file('ro/inside', 'read only parent\n', 0o444),
  dir('usr'),
  dir('usr/lib'),
  file('usr/lib/big.so', big, 0o755),
  hardlink('usr/lib/big.so.1', 'usr/lib/big.so'),
  hardlink('usr/lib/big.so.1.2', 'usr/lib/big.so'),
  file(`${longDir}/${'f'.repeat(120)}.txt`, 'long name\n'),
  symlink('long/target', `../${'x'.repeat(150)}/${'y'.repeat(60)}`),
  file('deep/a/b/c/implicit', 'parents not in the tar\n'),
  file('naïve 文件', 'utf-8 name\n'),
  dir('dev'),
  { path: 'dev/null', type: 'char', mode: 0o666, uid: 0, gid: 0, devmajor: 1, devminor: 3, ...at() },
  { path: 'dev/loop0', type: 'block', mode: 0o660, uid: 0, gid: 6, devmajor: 7, devminor: 0, ...at() },
  { path: 'dev/initctl', type: 'fifo', mode: 0o600, uid: 0, gid: 0, ...at() },
  symlink('dev/fd', '/proc/self/fd'),
];

const lowerEntries = (): TarEntry[] => [
  dir('etc'),
  file('etc/old', 'old\n'),
  file('etc/keep', 'keep\n'),
  dir('var'),
  dir('var/lib'),
  dir('var/lib/x'),
  file('var/lib/x/y', 'y\n'),
  file('var/lib/z', 'z\n'),
  dir('shared', 0o2775, 0, 50),
  dir('shared/old', 0o755, 0, 50),
  symlink('link', 'etc'),
  file('repl', 'was a file\n'),
  dir('repldir'),
  file('repldir/child', 'child\n'),
  file('victim', 'v\n', 0o644, 7, 7),
];

const upperEntries = (): TarEntry[] => [
  dir('etc'),
  whiteoutEntry('etc/old'),
  file('etc/new', 'new\n', 0o600, 3, 3),
  dir('var/lib'),
  opaqueWhiteoutEntry('var/lib'),
  file('var/lib/new', 'new\n'),
  file('shared/newfile', 'root owned in a setgid dir\n', 0o644, 0, 0),
  dir('shared/newdir', 0o755, 0, 0),
  file('shared/newdir/f', 'f\n'),
  file('shared/groupfile', 'group 50 as the dir\n', 0o644, 0, 50),
  dir('link'),
  file('link/inside', 'a dir replaced the symlink\n'),
  dir('repl', 0o711),
  file('repl/x', 'x\n'),
  file('repldir', 'a file replaced the dir\n'),
  file('victim', 'rewritten, owner back to root\n', 0o600),
  hardlink('victim-link', 'victim'),
];

async function tarBytes(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe.skipIf(skipReason !== undefined)('unpacked trees are exactly as before', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await scratchDir();
  });
  afterAll(async () => {
    await removeScratch(scratch);
  });

  it('extractLayer: a rich layer, then a layer of whiteouts and replacements over it', async () => {
    time = 1_500_000_000;
    const root = path.join(scratch, 'extract');
    await mkdir(root);
    await extractLayer(await tarBytes(richEntries()), root);
    await extractLayer(await tarBytes(lowerEntries()), root);
    await extractLayer(await tarBytes(upperEntries()), root);
    expect(treeListing(root)).toMatchInlineSnapshot(`
      [
        ". dir 755 0:0 m=fresh a=fresh",
        "bin dir 755 0:0 m=1500000000 a=1500000000",
        "bin/ping file 755 0:0 m=1500000003 a=1500000003 size=5 1146a4c81194 security.capability=0x0100000200200000000000000000000000000000",
        "bin/rel symlink 777 1000:1000 m=1500000006 a=1500000006 -> ../etc/passwd",
        "bin/sgid file 2711 0:42 m=1500000002 a=1500000002 size=7 566579ae611a",
        "bin/sh symlink 777 0:0 m=1500000005 a=1500000005 -> /bin/suid",
        "bin/suid file 4755 0:0 m=1500000001 a=1500000001 size=7 dec1e268062f links=2",
        "bin/suid-link file 4755 0:0 m=1500000001 a=1500000001 size=7 dec1e268062f links=2 same-as=bin/suid",
        "deep dir 755 0:0 m=fresh a=fresh",
        "deep/a dir 755 0:0 m=fresh a=fresh",
        "deep/a/b dir 755 0:0 m=fresh a=fresh",
        "deep/a/b/c dir 755 0:0 m=fresh a=fresh",
        "deep/a/b/c/implicit file 644 0:0 m=1500000029 a=1500000029 size=23 6210daf058de",
        "dev dir 755 0:0 m=1500000031 a=1500000031",
        "dev/fd symlink 777 0:0 m=1500000035 a=1500000035 -> /proc/self/fd",
        "dev/initctl fifo 600 0:0 m=1500000034 a=1500000034",
        "dev/loop0 block 660 0:6 m=1500000033 a=1500000033 rdev=1792",
        "dev/null char 666 0:0 m=1500000032 a=1500000032 rdev=259",
        "etc dir 755 0:0 m=1500000051 a=1500000051",
        "etc/conf.d dir 750 0:4 m=1500000011 a=1500000011 user.dir=0x64",
        "etc/conf.d/a.conf file 644 0:0 m=1500000012 a=1500000012 size=4 fe3209d6d4f5 user.bin=0x0001ff user.t=0x78",
        "etc/empty file 644 0:0 m=1500000010 a=1500000010 size=0 e3b0c44298fc",
        "etc/keep file 644 0:0 m=1500000038 a=1500000038 size=5 f660a7996dea",
        "etc/new file 600 3:3 m=1500000052 a=1500000052 size=4 7aa7a5359173",
        "etc/passwd file 644 0:0 m=1500000008 a=1500000008 size=26 037d604c1c02",
        "etc/shadow file 640 0:42 m=1500000009 a=1500000009 size=9 9a88132bee75",
        "home dir 755 0:0 m=1500000013 a=1500000013",
        "home/user dir 700 1000:1000 m=1500000014 a=1500000014",
        "home/user/.profile file 600 1000:1000 m=1500000015 a=1500000015 size=6 b116a17e54a3",
        "link dir 755 0:0 m=1500000059 a=1500000059",
        "link/inside file 644 0:0 m=1500000060 a=1500000060 size=27 a10266cf999f",
        "long dir 755 0:0 m=fresh a=fresh",
        "long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd dir 755 0:0 m=fresh a=fresh",
        "long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee dir 755 0:0 m=fresh a=fresh",
        "long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.txt file 644 0:0 m=1500000027 a=1500000027 size=10 1272a49868c4",
        "long/target symlink 777 0:0 m=1500000028 a=1500000028 -> ../xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
        "naïve 文件 file 644 0:0 m=1500000030 a=1500000030 size=11 3341333f4c18",
        "repl dir 711 0:0 m=1500000061 a=1500000061",
        "repl/x file 644 0:0 m=1500000062 a=1500000062 size=2 73cb3858a687",
        "repldir file 644 0:0 m=1500000063 a=1500000063 size=24 f35afa94290b",
        "ro dir 555 0:0 m=1500000020 a=1500000020",
        "ro/inside file 444 0:0 m=1500000021 a=1500000021 size=17 2347fb7a7210",
        "shared dir 2775 0:50 m=fresh a=1500000044",
        "shared/groupfile file 644 0:50 m=1500000058 a=1500000058 size=20 835e3cdeff12",
        "shared/newdir dir 755 0:0 m=1500000056 a=1500000056",
        "shared/newdir/f file 644 0:0 m=1500000057 a=1500000057 size=2 092fcfbbcfca",
        "shared/newfile file 644 0:0 m=1500000055 a=1500000055 size=27 d9c92418a9c8",
        "shared/old dir 755 0:50 m=1500000045 a=1500000045",
        "srv dir 2775 0:50 m=1500000017 a=1500000017",
        "srv/data file 664 0:0 m=1500000018 a=1500000018 size=4 f9e2d5489324",
        "srv/sub dir 755 0:0 m=1500000019 a=1500000019",
        "tmp dir 1777 0:0 m=1500000016 a=1500000016",
        "usr dir 755 0:0 m=1500000022 a=1500000022",
        "usr/lib dir 755 0:0 m=1500000023 a=1500000023",
        "usr/lib/big.so file 755 0:0 m=1500000024 a=1500000024 size=300000 a0abe496b75d links=3",
        "usr/lib/big.so.1 file 755 0:0 m=1500000024 a=1500000024 size=300000 a0abe496b75d links=3 same-as=usr/lib/big.so",
        "usr/lib/big.so.1.2 file 755 0:0 m=1500000024 a=1500000024 size=300000 a0abe496b75d links=3 same-as=usr/lib/big.so",
        "var dir 755 0:0 m=1500000039 a=1500000039",
        "var/lib dir 755 0:0 m=1500000053 a=1500000053",
        "var/lib/new file 644 0:0 m=1500000054 a=1500000054 size=4 7aa7a5359173",
        "victim file 600 0:0 m=1500000064 a=1500000064 size=30 1568682df01e links=2",
        "victim-link file 600 0:0 m=1500000064 a=1500000064 size=30 1568682df01e links=2 same-as=victim",
      ]
    `);
  });

  it('ensureSnapshot: the snapshot of a rich layer with whiteouts and opaque markers', async () => {
    time = 1_500_000_000;
    const store = await Store.open(path.join(scratch, 'store'));
    const entries = [...richEntries(), ...upperEntries()];
    const { digest, size } = await store.putBlob(tarChunks(entries));
    const layer = { digest, size, mediaType: OciMediaType.layer, diffId: digest as Digest };
    const root = await ensureSnapshot(store, layer);
    // etc is listed twice (rich and upper entries): its last entry's mode and times are kept, as docker keeps them,
    // also after its whiteout device is made (containerd's Apply sets the layer's directory times last).
    expect(treeListing(root)).toMatchInlineSnapshot(`
      [
        ". dir 755 0:0 m=fresh a=fresh",
        "bin dir 755 0:0 m=1500000000 a=1500000000",
        "bin/ping file 755 0:0 m=1500000003 a=1500000003 size=5 1146a4c81194 security.capability=0x0100000200200000000000000000000000000000",
        "bin/rel symlink 777 1000:1000 m=1500000006 a=1500000006 -> ../etc/passwd",
        "bin/sgid file 2711 0:42 m=1500000002 a=1500000002 size=7 566579ae611a",
        "bin/sh symlink 777 0:0 m=1500000005 a=1500000005 -> /bin/suid",
        "bin/suid file 4755 0:0 m=1500000001 a=1500000001 size=7 dec1e268062f links=2",
        "bin/suid-link file 4755 0:0 m=1500000001 a=1500000001 size=7 dec1e268062f links=2 same-as=bin/suid",
        "deep dir 755 0:0 m=fresh a=fresh",
        "deep/a dir 755 0:0 m=fresh a=fresh",
        "deep/a/b dir 755 0:0 m=fresh a=fresh",
        "deep/a/b/c dir 755 0:0 m=fresh a=fresh",
        "deep/a/b/c/implicit file 644 0:0 m=1500000029 a=1500000029 size=23 6210daf058de",
        "dev dir 755 0:0 m=1500000031 a=1500000031",
        "dev/fd symlink 777 0:0 m=1500000035 a=1500000035 -> /proc/self/fd",
        "dev/initctl fifo 600 0:0 m=1500000034 a=1500000034",
        "dev/loop0 block 660 0:6 m=1500000033 a=1500000033 rdev=1792",
        "dev/null char 666 0:0 m=1500000032 a=1500000032 rdev=259",
        "etc dir 755 0:0 m=1500000036 a=1500000036",
        "etc/conf.d dir 750 0:4 m=1500000011 a=1500000011 user.dir=0x64",
        "etc/conf.d/a.conf file 644 0:0 m=1500000012 a=1500000012 size=4 fe3209d6d4f5 user.bin=0x0001ff user.t=0x78",
        "etc/empty file 644 0:0 m=1500000010 a=1500000010 size=0 e3b0c44298fc",
        "etc/new file 600 3:3 m=1500000037 a=1500000037 size=4 7aa7a5359173",
        "etc/old char 644 0:0 m=fresh a=fresh rdev=0",
        "etc/passwd file 644 0:0 m=1500000008 a=1500000008 size=26 037d604c1c02",
        "etc/shadow file 640 0:42 m=1500000009 a=1500000009 size=9 9a88132bee75",
        "home dir 755 0:0 m=1500000013 a=1500000013",
        "home/user dir 700 1000:1000 m=1500000014 a=1500000014",
        "home/user/.profile file 600 1000:1000 m=1500000015 a=1500000015 size=6 b116a17e54a3",
        "link dir 755 0:0 m=1500000044 a=1500000044",
        "link/inside file 644 0:0 m=1500000045 a=1500000045 size=27 a10266cf999f",
        "long dir 755 0:0 m=fresh a=fresh",
        "long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd dir 755 0:0 m=fresh a=fresh",
        "long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee dir 755 0:0 m=fresh a=fresh",
        "long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.txt file 644 0:0 m=1500000027 a=1500000027 size=10 1272a49868c4",
        "long/target symlink 777 0:0 m=1500000028 a=1500000028 -> ../xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
        "naïve 文件 file 644 0:0 m=1500000030 a=1500000030 size=11 3341333f4c18",
        "repl dir 711 0:0 m=1500000046 a=1500000046",
        "repl/x file 644 0:0 m=1500000047 a=1500000047 size=2 73cb3858a687",
        "repldir file 644 0:0 m=1500000048 a=1500000048 size=24 f35afa94290b",
        "ro dir 555 0:0 m=1500000020 a=1500000020",
        "ro/inside file 444 0:0 m=1500000021 a=1500000021 size=17 2347fb7a7210",
        "shared dir 755 0:0 m=fresh a=fresh",
        "shared/groupfile file 644 0:50 m=1500000043 a=1500000043 size=20 835e3cdeff12",
        "shared/newdir dir 755 0:0 m=1500000041 a=1500000041",
        "shared/newdir/f file 644 0:0 m=1500000042 a=1500000042 size=2 092fcfbbcfca",
        "shared/newfile file 644 0:0 m=1500000040 a=1500000040 size=27 d9c92418a9c8",
        "srv dir 2775 0:50 m=1500000017 a=1500000017",
        "srv/data file 664 0:0 m=1500000018 a=1500000018 size=4 f9e2d5489324",
        "srv/sub dir 755 0:0 m=1500000019 a=1500000019",
        "tmp dir 1777 0:0 m=1500000016 a=1500000016",
        "usr dir 755 0:0 m=1500000022 a=1500000022",
        "usr/lib dir 755 0:0 m=1500000023 a=1500000023",
        "usr/lib/big.so file 755 0:0 m=1500000024 a=1500000024 size=300000 a0abe496b75d links=3",
        "usr/lib/big.so.1 file 755 0:0 m=1500000024 a=1500000024 size=300000 a0abe496b75d links=3 same-as=usr/lib/big.so",
        "usr/lib/big.so.1.2 file 755 0:0 m=1500000024 a=1500000024 size=300000 a0abe496b75d links=3 same-as=usr/lib/big.so",
        "var dir 755 0:0 m=fresh a=fresh",
        "var/lib dir 755 0:0 m=1500000038 a=1500000038 trusted.overlay.opaque=0x79",
        "var/lib/new file 644 0:0 m=1500000039 a=1500000039 size=4 7aa7a5359173",
        "victim file 600 0:0 m=1500000049 a=1500000049 size=30 1568682df01e links=2",
        "victim-link file 600 0:0 m=1500000049 a=1500000049 size=30 1568682df01e links=2 same-as=victim",
      ]
    `);
  });
  it('import unpacks while it stores the tar: the same snapshot as unpacking the stored layer', async () => {
    time = 1_500_000_000;
    const tar = await tarBytes([...richEntries(), ...upperEntries()]);
    const file = path.join(scratch, 'rich.tar');
    await writeFile(file, tar);
    const imported = await Store.open(path.join(scratch, 'imported'));
    const c = capture();
    expect(await importRun({ root: imported.root, file, name: 'rich:1' }, c.io)).toBe(0);
    expect(c.err()).toBe('');
    const [diffId] = (await imported.resolve('rich:1')).config.rootfs.diff_ids as Digest[];
    const streamed = snapshotDir(imported, { digest: diffId!, size: tar.length, mediaType: '', diffId: diffId! });
    const stored = await Store.open(path.join(scratch, 'stored'));
    const { digest, size } = await stored.putBlob(tar);
    expect(digest).toBe(diffId);
    const unpacked = await ensureSnapshot(stored, { digest, size, mediaType: OciMediaType.layer, diffId: digest });
    expect(treeListing(streamed)).toEqual(treeListing(unpacked));
    expect(await readdir(imported.paths.snapshots)).toEqual([path.basename(streamed)]);
  });

  it('an import that fails leaves no snapshot and no work directory', async () => {
    const tar = await tarBytes([file('a', 'x'.repeat(4096)), file('b', 'y'.repeat(4096))]);
    const cut = path.join(scratch, 'cut.tar');
    await writeFile(cut, tar.subarray(0, 3000));
    const store = await Store.open(path.join(scratch, 'failed'));
    const c = capture();
    expect(await importRun({ root: store.root, file: cut, name: 'cut:1' }, c.io)).toBe(1);
    expect(c.err()).toBe(`Error: ${cut} is not a tar archive (plain, gzip or zstd): unexpected end of tar data\n`);
    expect(await readdir(store.paths.snapshots).catch(() => [])).toEqual([]);
  });
});
