import type { TarEntryType, TarHeader } from './tar-entry.js';

/**
 * Encoding of one entry's header blocks: a ustar header, preceded by a PAX extended header when a field does
 * not fit ustar (long or non-ASCII names, large ids/sizes/times, xattrs). Output depends only on the fields.
 */

export const blockSize = 512;

const typeFlags: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

const maxOctal = (width: number): number => 8 ** (width - 1) - 1;
const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);

/** Writes `value` as zero-padded octal in `width - 1` digits plus NUL (a value too large keeps its first digits). */
function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  let rest = Math.max(0, Math.trunc(value));
  if (rest > maxOctal(width)) {
    block.write(`${rest.toString(8)}\0`, offset, width, 'ascii');
    return;
  }
  // Digit by digit: a header is made per entry, mostly by code not yet optimised, where strings cost more.
  for (let i = offset + width - 2; i >= offset; i--) {
    block[i] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
  block[offset + width - 1] = 0;
}

/** `value` is ASCII (encodeHeader puts anything else in PAX records): one byte per character, cut at `width`. */
function writeString(block: Buffer, offset: number, width: number, value: string): void {
  if (value !== '') block.write(value, offset, width, 'latin1');
}

/** Splits a long path into ustar's prefix (≤155) and name (≤100) at a `/`, or returns undefined. */
function splitUstarPath(path: string): [prefix: string, name: string] | undefined {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return [prefix, name];
    if (prefix.length <= 155) return undefined;
  }
  return undefined;
}

/** One PAX record `"<len> <key>=<value>\n"`, where len counts the whole record. */
function paxRecord(key: string, value: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length), 'ascii'), body]);
}

interface UstarFields {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

function ustarBlock(f: UstarFields): Buffer {
  const block = Buffer.alloc(blockSize);
  writeString(block, 0, 100, f.name);
  writeOctal(block, 100, 8, f.mode);
  writeOctal(block, 108, 8, f.uid);
  writeOctal(block, 116, 8, f.gid);
  writeOctal(block, 124, 12, f.size);
  writeOctal(block, 136, 12, f.mtime);
  block.write(f.typeflag, 156, 1, 'ascii');
  writeString(block, 157, 100, f.linkname);
  block.write('ustar\x0000', 257, 8, 'ascii');
  writeString(block, 265, 32, f.uname);
  writeString(block, 297, 32, f.gname);
  writeOctal(block, 329, 8, f.devmajor);
  writeOctal(block, 337, 8, f.devminor);
  writeString(block, 345, 155, f.prefix);
  block.fill(0x20, 148, 156);
  // An indexed loop: a header is made per entry, mostly by code not yet optimised, where an iterator costs more.
  let sum = 0;
  for (let i = 0; i < blockSize; i++) sum += block[i] as number;
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

function padTo512(data: Buffer): Buffer {
  const rest = data.length % blockSize;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(blockSize - rest)]);
}

/** The tar name of an entry: directories end in `/`. */
export function tarName(header: Pick<TarHeader, 'path' | 'type'>): string {
  return header.type === 'directory' && !header.path.endsWith('/') ? `${header.path}/` : header.path;
}

/** Header blocks (PAX + ustar) for an entry; the content and its padding follow them. */
export function encodeHeader(header: TarHeader): Buffer {
  const name = tarName(header);
  if (fitsUstar(header, name)) return ustarBlock(ustarFields(header, name, '', true));
  const linkname = header.linkname ?? '';
  const uname = header.uname ?? '';
  const gname = header.gname ?? '';
  const pax = new Map<string, Uint8Array>();
  const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

  const split = isAscii(name) ? splitUstarPath(name) : undefined;
  if (split === undefined) pax.set('path', utf8(name));
  if (Buffer.byteLength(linkname) > 100 || !isAscii(linkname)) pax.set('linkpath', utf8(linkname));
  if (Buffer.byteLength(uname) > 32 || !isAscii(uname)) pax.set('uname', utf8(uname));
  if (Buffer.byteLength(gname) > 32 || !isAscii(gname)) pax.set('gname', utf8(gname));
  for (const [key, value] of [
    ['uid', header.uid],
    ['gid', header.gid],
  ] as const) {
    if (value > maxOctal(8)) pax.set(key, utf8(String(value)));
  }
  if (header.size > maxOctal(12)) pax.set('size', utf8(String(header.size)));
  if (header.mtime < 0 || header.mtime > maxOctal(12)) pax.set('mtime', utf8(String(header.mtime)));
  for (const key of Object.keys(header.xattrs ?? {}).sort()) pax.set(`SCHILY.xattr.${key}`, header.xattrs![key]!);

  const ustarName = split ? split[1] : name.slice(-100).replace(/[^\x00-\x7f]/g, '_');
  const ustar = ustarBlock(ustarFields(header, ustarName, split ? split[0] : ''));
  if (pax.size === 0) return ustar;

  // PAX keys in sorted order so the bytes never depend on insertion order.
  const records = Buffer.concat([...pax.keys()].sort().map((key) => paxRecord(key, pax.get(key)!)));
  const base = name.replace(/\/$/, '');
  const slash = base.lastIndexOf('/');
  const paxName = `${slash === -1 ? '' : base.slice(0, slash + 1)}PaxHeaders.0/${base.slice(slash + 1)}`;
  const paxHeader = ustarBlock({
    name: isAscii(paxName) ? paxName.slice(0, 100) : 'PaxHeaders.0/entry',
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime: 0,
    typeflag: 'x',
    linkname: '',
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, padTo512(records), ustar]);
}

/**
 * Whether the entry needs no PAX record: a short ASCII name (no ustar prefix either), link and owner names, small
 * numbers and no xattrs. The common case, made without the general path's record map and name splitting.
 */
function fitsUstar(header: TarHeader, name: string): boolean {
  const { linkname = '', uname = '', gname = '' } = header;
  if (name.length > 100 || linkname.length > 100 || uname.length > 32 || gname.length > 32) return false;
  if (header.uid > maxOctal(8) || header.gid > maxOctal(8) || header.size > maxOctal(12)) return false;
  if (header.mtime < 0 || header.mtime > maxOctal(12)) return false;
  if (header.xattrs !== undefined && Object.keys(header.xattrs).length > 0) return false;
  return isAscii(name) && isAscii(linkname) && isAscii(uname) && isAscii(gname);
}

/**
 * The ustar fields of an entry: a number that does not fit, or a link or owner name that is not ASCII, is left to PAX
 * records (`namesAscii`: fitsUstar found them ASCII already).
 */
function ustarFields(header: TarHeader, name: string, prefix: string, namesAscii = false): UstarFields {
  const ascii = (s: string | undefined): string => (s !== undefined && (namesAscii || isAscii(s)) ? s : '');
  const octalOrZero = (value: number, width: number): number => (value < 0 || value > maxOctal(width) ? 0 : value);
  return {
    name,
    prefix,
    mode: header.mode & 0o7777,
    uid: octalOrZero(header.uid, 8),
    gid: octalOrZero(header.gid, 8),
    size: octalOrZero(header.size, 12),
    mtime: octalOrZero(header.mtime, 12),
    typeflag: typeFlags[header.type],
    linkname: ascii(header.linkname),
    uname: ascii(header.uname),
    gname: ascii(header.gname),
    devmajor: header.devmajor ?? 0,
    devminor: header.devminor ?? 0,
  };
}

/** Zero bytes that pad `size` bytes of content to a block boundary. */
export function contentPadding(size: number): Buffer {
  const rest = size % blockSize;
  return Buffer.alloc(rest === 0 ? 0 : blockSize - rest);
}

/** The end-of-archive marker: two zero blocks. */
export const endOfArchive = (): Buffer => Buffer.alloc(blockSize * 2);
