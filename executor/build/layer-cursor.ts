// The content of files of a stored (uncompressed) layer, read in one forward pass: a direct copy that reuses
// a previous layer asks for the unchanged files in the layer's own canonical order, so the old tar is read
// once, sequentially, and the entries in between (changed or deleted files) are skipped. Only what finding a
// file needs is parsed (name, type, size; PAX and GNU long names): the general reader (image/ readTar) costs
// several times more per entry, and a layer of 50,000 small files is mostly headers.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { comparePaths } from '../../image/index.js';

export class LayerCursorError extends Error {
  readonly code = 'E_LAYER_CURSOR';
}

export interface LayerCursor {
  /** The content of the file `name`, which must come after the previous one asked for and have `size` bytes. */
  content(name: string, size: number): AsyncGenerator<Uint8Array>;
  close(): Promise<void>;
}

const block = 512;
/** A multiple of the block size: a header never straddles two chunks. */
const chunkSize = 4 << 20;
const padded = (size: number): number => Math.ceil(size / block) * block;

/**
 * Opens the layer tar `file` (held open: a prune that removes it meanwhile does not take the bytes away).
 * Anything unexpected (a missing entry, another type or size, a malformed tar) throws LayerCursorError.
 */
export async function openLayerCursor(file: string): Promise<LayerCursor> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const reader = new ChunkReader(handle);
  return {
    async *content(name: string, size: number): AsyncGenerator<Uint8Array> {
      for (;;) {
        const entry = await reader.nextEntry();
        if (entry === null) throw new LayerCursorError(`${name} is not in the previous layer`);
        const order = entry.name === name ? 0 : comparePaths(entry.name, name);
        if (order < 0) {
          reader.skip(padded(entry.size)); // not reused
          continue;
        }
        if (order > 0) throw new LayerCursorError(`${name} is not in the previous layer`);
        if (entry.type !== 'file' || entry.size !== size) {
          throw new LayerCursorError(`${name} differs in the previous layer`);
        }
        yield* reader.bytes(size);
        reader.skip(padded(size) - size);
        return;
      }
    },
    close: () => handle.close().catch(() => {}),
  };
}

interface Entry {
  readonly name: string;
  readonly type: 'file' | 'other';
  /** Bytes of data that follow the header. */
  readonly size: number;
}

/** Sequential reads of the file in block-aligned chunks; each chunk is a new buffer (the tar writer keeps slices). */
class ChunkReader {
  private chunk = Buffer.alloc(0);
  private at = 0;
  /** File offset of `chunk[0]`. */
  private base = 0;

  constructor(private readonly handle: FileHandle) {}

  /** Moves forward `n` bytes; data never read is skipped on disk too. */
  skip(n: number): void {
    this.at += n;
  }

  private async ensure(): Promise<boolean> {
    if (this.at < this.chunk.length) return true;
    const position = this.base + this.at;
    const next = Buffer.allocUnsafe(chunkSize);
    let filled = 0;
    while (filled < chunkSize) {
      const { bytesRead } = await this.handle.read(next, filled, chunkSize - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.base = position;
    this.chunk = next.subarray(0, filled);
    this.at = 0;
    return filled > 0;
  }

  async *bytes(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (!(await this.ensure())) throw new LayerCursorError('unexpected end of the previous layer');
      const take = Math.min(left, this.chunk.length - this.at);
      yield this.chunk.subarray(this.at, this.at + take);
      this.at += take;
      left -= take;
    }
  }

  private async header(): Promise<Buffer | null> {
    if (!(await this.ensure()) || this.chunk.length - this.at < block) return null;
    const header = this.chunk.subarray(this.at, this.at + block);
    this.at += block;
    return header;
  }

  private async record(n: number): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const part of this.bytes(n)) parts.push(part);
    this.skip(padded(n) - n);
    return Buffer.concat(parts);
  }

  /** The next entry's header (metadata records applied), or null at the end of the archive. */
  async nextEntry(): Promise<Entry | null> {
    let longName: string | undefined;
    for (;;) {
      const header = await this.header();
      if (header === null || header[0] === 0) return null;
      if (!checksumOk(header)) throw new LayerCursorError('invalid tar header in the previous layer');
      const flag = header[156];
      const size = octal(header, 124, 12);
      if (flag === 0x78 /* x */ || flag === 0x4c /* L */) {
        if (size > 1 << 20) throw new LayerCursorError('oversized tar metadata in the previous layer');
        const data = await this.record(size);
        longName = flag === 0x4c ? cString(data, 0, data.length) : (paxPath(data) ?? longName);
        continue;
      }
      if (flag === 0x67 /* g */ || flag === 0x4b /* K */) {
        this.skip(padded(size));
        continue;
      }
      const name = longName ?? ustarName(header);
      const type = flag === 0x30 || flag === 0 ? 'file' : 'other';
      // Only regular files and hard links carry data in the layers tsbuild writes.
      return { name: name.replace(/\/+$/, ''), type, size: type === 'file' || flag === 0x31 ? size : 0 };
    }
  }
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return octal(header, 148, 8) === sum;
}

/** An octal field (leading spaces or zeros, ended by NUL or space); GNU base-256 is not written by tsbuild. */
function octal(header: Buffer, offset: number, width: number): number {
  if (header[offset] & 0x80) throw new LayerCursorError('base-256 number in the previous layer');
  let value = 0;
  for (let i = offset; i < offset + width; i++) {
    const c = header[i];
    if (c === 0 || (c === 0x20 && value > 0)) break;
    if (c === 0x20) continue;
    if (c < 0x30 || c > 0x37) throw new LayerCursorError('invalid number in the previous layer');
    value = value * 8 + (c - 0x30);
  }
  return value;
}

function cString(header: Buffer, offset: number, width: number): string {
  const end = header.indexOf(0, offset);
  return header.toString('utf8', offset, end === -1 || end > offset + width ? offset + width : end);
}

function ustarName(header: Buffer): string {
  const name = cString(header, 0, 100);
  const ustar = header.toString('latin1', 257, 262) === 'ustar';
  const prefix = ustar ? cString(header, 345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** The `path` record of PAX data (`<len> path=<value>\n`, len in bytes), if any; a PAX `size` is refused. */
function paxPath(data: Buffer): string | undefined {
  let found: string | undefined;
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const length = space === -1 ? Number.NaN : Number(data.toString('latin1', pos, space));
    const eq = data.indexOf(0x3d, space);
    if (!Number.isSafeInteger(length) || length <= 0 || pos + length > data.length || eq === -1 || eq >= pos + length) {
      throw new LayerCursorError('invalid PAX record in the previous layer');
    }
    const key = data.toString('utf8', space + 1, eq);
    if (key === 'path') found = data.toString('utf8', eq + 1, pos + length - 1);
    else if (key === 'size') throw new LayerCursorError('PAX size in the previous layer');
    pos += length;
  }
  return found;
}
