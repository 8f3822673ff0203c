// BuildKit's content checksums (cache/contenthash): the per-entry tarsum-style header digest and
// the recursive directory digest. See conformance/buildkit/CACHE.md section 4.

import { createHash } from 'node:crypto';
import { type ContextEntry, compareNames } from './entry.js';

/** sha256 of empty input, in text form: the header of a context root received from a client. */
export const EMPTY_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface HeaderFields {
  readonly typeflag: '0' | '2' | '3' | '4' | '5' | '6';
  /** Permission bits plus setuid/setgid/sticky (the type bits are dropped). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Byte size for regular files, 0 otherwise. */
  readonly size: number;
  readonly linkname: string;
  readonly devmajor: number;
  readonly devminor: number;
  /** Extended attributes; `security.*`/`system.*` except `security.capability` are ignored. */
  readonly xattrs?: Readonly<Record<string, string | Uint8Array>>;
}

/** The header as a binary (latin1) string, without extended attributes. */
export function headerText(h: HeaderFields): string {
  // The link name is the only free text: encode it to UTF-8 bytes, one char per byte.
  const link = /^[\x00-\x7f]*$/.test(h.linkname) ? h.linkname : Buffer.from(h.linkname, 'utf8').toString('latin1');
  return (
    `namemode${h.mode & 0o7777}uid${h.uid}gid${h.gid}size${h.size}typeflag${h.typeflag}` +
    `linkname${link}unamegnamedevmajor${h.devmajor}devminor${h.devminor}`
  );
}

/** `headerText` of a regular file without extended attributes (the hashing workers build the same). */
export function fileHeaderText(mode: number, uid: number, gid: number, size: number): string {
  return `namemode${mode & 0o7777}uid${uid}gid${gid}size${size}typeflag0linknameunamegnamedevmajor0devminor0`;
}

/** `headerText` of a directory without extended attributes (ASCII: hashing the string is hashing the bytes). */
export function dirHeaderText(mode: number, uid: number, gid: number): string {
  return `namemode${mode & 0o7777}uid${uid}gid${gid}size0typeflag5linknameunamegnamedevmajor0devminor0`;
}

/** The header bytes that precede the content in an entry's digest. */
export function headerBytes(h: HeaderFields): Buffer {
  const parts: Buffer[] = [Buffer.from(headerText(h), 'latin1')];
  if (h.xattrs) {
    const names = Object.keys(h.xattrs)
      .filter((n) => n === 'security.capability' || !(n.startsWith('security.') || n.startsWith('system.')))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const n of names) {
      parts.push(Buffer.from(n, 'utf8'));
      const v = h.xattrs[n];
      parts.push(typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));
    }
  }
  return Buffer.concat(parts);
}

/** Linux `major()`/`minor()` of a device number. */
export function devMajorMinor(rdev: number | bigint): [number, number] {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return [Number(major), Number(minor)];
}

export interface OwnerPolicy {
  /** The client resets owners of context entries to 0:0 before BuildKit sees them. */
  readonly resetOwner: boolean;
}

/** Header fields of a snapshot entry, as BuildKit would see it. */
export function headerFor(e: ContextEntry, policy: OwnerPolicy): HeaderFields {
  const uid = policy.resetOwner ? 0 : e.uid;
  const gid = policy.resetOwner ? 0 : e.gid;
  let typeflag: HeaderFields['typeflag'] = '0';
  let devmajor = 0;
  let devminor = 0;
  if (e.type === 'dir') typeflag = '5';
  else if (e.type === 'symlink') typeflag = '2';
  else if (e.special === 'char' || e.special === 'block') {
    typeflag = e.special === 'char' ? '3' : '4';
    [devmajor, devminor] = devMajorMinor(e.rdev);
  } else if (e.special === 'fifo') typeflag = '6';
  return {
    typeflag,
    mode: e.type === 'symlink' ? 0o777 : e.mode & 0o7777,
    uid,
    gid,
    size: e.type === 'file' ? e.size : 0,
    linkname: e.type === 'symlink' ? (e.linkTarget ?? '') : '',
    devmajor,
    devminor,
  };
}

/** Digest of an entry with no content (directory header, symlink, device, fifo, socket). */
export function headerOnlyDigest(h: HeaderFields): string {
  return 'sha256:' + createHash('sha256').update(headerBytes(h)).digest('hex');
}

/** Digest of a regular file from its header and complete content (for small inputs and tests). */
export function fileDigest(h: HeaderFields, content: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(headerBytes(h)).update(content).digest('hex');
}

/** A directory's contents digest (4.3) from its header digest and its children (sorted unless `presorted`). */
export function directoryDigest(
  headerDigest: string,
  children: readonly { name: string; digest: string }[],
  presorted = false,
): string {
  const sorted = presorted ? children : [...children].sort((a, b) => compareNames(a.name, b.name));
  // One string, one update: per-child updates cost more than the hashing itself.
  let text = '\0' + headerDigest;
  for (const c of sorted) text += '\0' + c.name + c.digest;
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The selector digest BuildKit attaches to a COPY source input: sorted, reversed, NUL-joined. */
export function selectorDigest(sourcePaths: readonly string[]): string {
  const list = [...sourcePaths].sort((a, b) => Buffer.compare(Buffer.from(b), Buffer.from(a)));
  return 'sha256:' + createHash('sha256').update(list.join('\0')).digest('hex');
}

/** Combined content digest of several COPY sources: their digests NUL-joined, hashed again. */
export function combinedSourcesDigest(digests: readonly string[]): string {
  return 'sha256:' + createHash('sha256').update(digests.join('\0')).digest('hex');
}
