import { ByteSource } from './byte-source.js';
import type { TarEntryType, TarHeader } from './tar-entry.js';
import { blockSize } from './tar-header.js';

/** Raised for malformed tar data. */
export class TarReadError extends Error {
  readonly code = 'ETARREAD';
}

/** One entry read from a tar; `body()` streams its content and must be consumed before the next entry. */
export interface TarReadEntry {
  header: TarHeader;
  /** The name exactly as stored (after PAX/GNU long names), before any cleaning. */
  rawName: string;
  body(): AsyncGenerator<Buffer>;
}

const typeByFlag: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

function cString(block: Buffer, offset: number, width: number): string {
  const field = block.subarray(offset, offset + width);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? width : end).toString('utf8');
}

/** Numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function numeric(block: Buffer, offset: number, width: number): number {
  const field = block.subarray(offset, offset + width);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < width; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarReadError(`invalid numeric field ${JSON.stringify(text)}`);
  return Number.parseInt(text, 8);
}

/** Cheap early rejection of non-tar input: a ustar/GNU magic or at least an octal checksum field. */
function hasTarMagicOrChecksum(block: Buffer): boolean {
  const magic = block.subarray(257, 262).toString('latin1');
  return magic === 'ustar' || /^[0-7 \0]{8}$/.test(block.subarray(148, 156).toString('latin1'));
}

function checksumOk(block: Buffer): boolean {
  let unsigned = 0;
  for (let i = 0; i < blockSize; i++) unsigned += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return numeric(block, 148, 8) === unsigned;
}

/** Parses PAX records into a map (values as raw bytes: xattrs may be binary). */
function parsePax(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isInteger(length) || length <= 0 || pos + length > data.length) {
      throw new TarReadError('invalid PAX record');
    }
    const record = data.subarray(space + 1, pos + length - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw new TarReadError('invalid PAX record');
    records.set(record.subarray(0, eq).toString('utf8'), Buffer.from(record.subarray(eq + 1)));
    pos += length;
  }
  return records;
}

const maxMetadataSize = 1024 * 1024;
const paddedSize = (size: number): number => Math.ceil(size / blockSize) * blockSize;

/**
 * Reads ustar, PAX (`x`; `g` is ignored) and GNU (`L`/`K` long names, base-256 numbers) archives as a stream.
 */
export async function* readTar(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<TarReadEntry> {
  const bytes = new ByteSource(source);
  let pax = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      const block = await bytes.read(blockSize);
      if (block === null) return;
      if (block.every((b) => b === 0)) return;
      if (!hasTarMagicOrChecksum(block)) throw new TarReadError('not a tar archive');
      if (!checksumOk(block)) throw new TarReadError('invalid tar header checksum');
      const flag = String.fromCharCode(block[156]!);
      const size = numeric(block, 124, 12);
      if (!Number.isSafeInteger(size) || size < 0) throw new TarReadError(`invalid entry size ${size}`);
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        // Metadata records are read whole; a huge one is an attack on memory, not a real archive.
        if (size > maxMetadataSize) throw new TarReadError(`tar metadata record of ${size} bytes is too large`);
        const data = await bytes.read(paddedSize(size));
        if (data === null) throw new TarReadError('unexpected end of tar data');
        const payload = data.subarray(0, size);
        if (flag === 'x') pax = parsePax(payload);
        else if (flag === 'L') longName = cString(payload, 0, payload.length);
        else if (flag === 'K') longLink = cString(payload, 0, payload.length);
        continue;
      }
      const type = typeByFlag[flag];
      if (type === undefined) throw new TarReadError(`unsupported tar entry type ${JSON.stringify(flag)}`);
      const magic = block.subarray(257, 263).toString('latin1');
      const prefix = magic.startsWith('ustar') ? cString(block, 345, 155) : '';
      let name = longName ?? (prefix ? `${prefix}/${cString(block, 0, 100)}` : cString(block, 0, 100));
      const header: TarHeader = {
        path: '',
        type,
        mode: numeric(block, 100, 8) & 0o7777,
        uid: numeric(block, 108, 8),
        gid: numeric(block, 116, 8),
        mtime: numeric(block, 136, 12),
        size: type === 'file' || flag === '1' ? size : 0,
      };
      let linkname = longLink ?? cString(block, 157, 100);
      const uname = cString(block, 265, 32);
      const gname = cString(block, 297, 32);
      const xattrs: Record<string, Uint8Array> = {};
      for (const [key, value] of pax) {
        const text = value.toString('utf8');
        if (key === 'path') name = text;
        else if (key === 'linkpath') linkname = text;
        else if (key === 'size') {
          header.size = Number(text);
          if (!Number.isSafeInteger(header.size) || header.size < 0) throw new TarReadError(`invalid PAX size ${text}`);
        } else if (key === 'uid') header.uid = Number(text);
        else if (key === 'gid') header.gid = Number(text);
        else if (key === 'mtime') header.mtime = Math.floor(Number(text));
        else if (key === 'uname') header.uname = text;
        else if (key === 'gname') header.gname = text;
        else if (key.startsWith('SCHILY.xattr.')) xattrs[key.slice('SCHILY.xattr.'.length)] = value;
      }
      if (header.uname === undefined && uname !== '') header.uname = uname;
      if (header.gname === undefined && gname !== '') header.gname = gname;
      if (linkname !== '' && (type === 'symlink' || type === 'hardlink')) header.linkname = linkname;
      if (type === 'char' || type === 'block') {
        header.devmajor = numeric(block, 329, 8);
        header.devminor = numeric(block, 337, 8);
      }
      if (Object.keys(xattrs).length > 0) header.xattrs = xattrs;
      header.path = name.replace(/\/+$/, '');
      pax = new Map();
      longName = undefined;
      longLink = undefined;

      // Hard links may carry data in some writers; it is skipped, never attached to the link.
      const dataSize = type === 'file' || flag === '1' ? header.size : 0;
      if (type !== 'file') header.size = 0;
      let consumed = 0;
      const body = async function* (): AsyncGenerator<Buffer> {
        if (type !== 'file') return;
        for await (const chunk of bytes.stream(dataSize - consumed)) {
          consumed += chunk.length;
          yield chunk;
        }
      };
      yield { header, rawName: name, body };
      await bytes.skip(dataSize - consumed);
      await bytes.skip(paddedSize(dataSize) - dataSize);
    }
  } finally {
    await bytes.close();
  }
}
