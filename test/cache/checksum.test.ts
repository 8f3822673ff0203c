import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  combinedSourcesDigest,
  devMajorMinor,
  directoryDigest,
  EMPTY_DIGEST,
  fileDigest,
  type HeaderFields,
  headerBytes,
  headerOnlyDigest,
  selectorDigest,
} from '../../cache/index.js';

const file = (over: Partial<HeaderFields> = {}): HeaderFields => ({
  typeflag: '0',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 6,
  linkname: '',
  devmajor: 0,
  devminor: 0,
  ...over,
});
const hello = Buffer.from('hello\n');

// Vectors from conformance/buildkit/CACHE.md section 4.2 (computed with BuildKit's own code).
describe('entry digests (CACHE.md 4.2)', () => {
  it('writes the exact header text', () => {
    expect(headerBytes(file()).toString()).toBe(
      'namemode420uid0gid0size6typeflag0linknameunamegnamedevmajor0devminor0',
    );
  });
  it('regular file 0644 "hello\\n"', () => {
    expect(fileDigest(file(), hello)).toBe('sha256:09eefdc91e8894bc767daae7daa5a4e8cbf396610f10ae20604d9086c76d4a93');
  });
  it('mode 0755', () => {
    expect(fileDigest(file({ mode: 0o755 }), hello)).toBe(
      'sha256:9ed2dd3163c51dbdd8145b229264de4fa1faff91c4d48e60fc6271bd45bad046',
    );
  });
  it('file-type bits in the mode are dropped', () => {
    expect(fileDigest(file({ mode: 0o100644 }), hello)).toBe(fileDigest(file(), hello));
  });
  it('uid/gid 1000', () => {
    expect(fileDigest(file({ uid: 1000, gid: 1000 }), hello)).toBe(
      'sha256:5feb9b9280a92b47c487042d04b00813ed56d309094281a1c35add11c0804470',
    );
  });
  it('xattrs user.a=1 and security.selinux=x', () => {
    expect(fileDigest(file({ xattrs: { 'security.selinux': 'x', 'user.a': '1' } }), hello)).toBe(
      'sha256:56520e99eef73b1c0ab2aa81fe51908a561e032d0f78066cd9a9c4c5e20e30d4',
    );
  });
  it('only security.selinux is ignored', () => {
    expect(fileDigest(file({ xattrs: { 'security.selinux': 'x' } }), hello)).toBe(
      'sha256:09eefdc91e8894bc767daae7daa5a4e8cbf396610f10ae20604d9086c76d4a93',
    );
  });
  it('empty regular file', () => {
    expect(fileDigest(file({ size: 0 }), Buffer.alloc(0))).toBe(
      'sha256:700591407496206b27e3739e92128dd4d3a119e929d3b3677835a1ab6627aa3d',
    );
  });
  it('directory header 0755', () => {
    expect(headerOnlyDigest(file({ typeflag: '5', mode: 0o755, size: 0 }))).toBe(
      'sha256:1a2805521573cb10d73bcd51d16bfa84c8f461d68599740e35484b90b2ab1bab',
    );
  });
  it('symlink to "target"', () => {
    expect(headerOnlyDigest(file({ typeflag: '2', mode: 0o777, size: 0, linkname: 'target' }))).toBe(
      'sha256:a2ba571981f48ec34eb79c9a3ab091b6491e825c2f7e9914ea86e8e958be7fae',
    );
  });
  it('empty digest constant', () => {
    expect(EMPTY_DIGEST).toBe(combinedSourcesDigest([]));
  });
  it('splits Linux device numbers', () => {
    expect(devMajorMinor(BigInt(0x0103))).toEqual([1, 3]);
    // glibc makedev(259, 0x12345)
    const dev = 0x45n | (259n << 8n) | (0x12300n << 12n);
    expect(devMajorMinor(dev)).toEqual([259, 0x12345]);
  });
});

describe('directory and selector digests', () => {
  it('orders children by name bytes and NUL-separates records', () => {
    const a = directoryDigest('sha256:h', [
      { name: 'b', digest: 'sha256:2' },
      { name: 'a', digest: 'sha256:1' },
    ]);
    const b = directoryDigest('sha256:h', [
      { name: 'a', digest: 'sha256:1' },
      { name: 'b', digest: 'sha256:2' },
    ]);
    expect(a).toBe(b);
    expect(a).toBe('sha256:' + createHash('sha256').update('\0sha256:h\0asha256:1\0bsha256:2').digest('hex'));
  });
  it('selector digest: paths sorted descending by bytes, NUL-joined', () => {
    expect(selectorDigest(['/a', '/c', '/b'])).toBe(
      'sha256:' + createHash('sha256').update('/c\0/b\0/a').digest('hex'),
    );
  });
});
