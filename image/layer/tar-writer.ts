import { Readable } from 'node:stream';
import type { TarEntry, TarHeader } from './tar-entry.js';
import { contentPadding, encodeHeader, endOfArchive } from './tar-header.js';

/** Raised when an entry cannot be written (bad fields, or content whose length differs from `size`). */
export class TarWriteError extends Error {
  readonly code = 'ETARWRITE';
}

/** The header of an entry, with `size` settled: content length for files, 0 for everything else. */
export function entryHeader(entry: TarEntry): TarHeader {
  const { content, ...rest } = entry;
  let size = 0;
  if (entry.type === 'file') {
    if (entry.size !== undefined) size = entry.size;
    else if (content instanceof Uint8Array) size = content.length;
    else if (content !== undefined) throw new TarWriteError(`${entry.path}: streamed content needs a size`);
  }
  if (entry.path === '' || entry.path.startsWith('/'))
    throw new TarWriteError(`invalid entry path ${JSON.stringify(entry.path)}`);
  return { ...rest, size };
}

/**
 * Serialises entries in the order given, streaming file content: each file's content source is opened only
 * when that entry is reached, and the stream's back-pressure pauses reading, so large files never sit in memory.
 * The content of a file must be exactly `size` bytes (a file that changed while being read is an error). Headers and
 * small contents come joined in chunks of about 64 KiB; a streamed content's chunks come as its source gives them.
 */
export async function* tarChunks(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): AsyncGenerator<Buffer> {
  const out = new Coalescer();
  for await (const entry of entries) {
    const header = entryHeader(entry);
    out.add(encodeHeader(header));
    if (entry.type === 'file') {
      const content = entry.content;
      if (content === undefined || content instanceof Uint8Array) {
        const length = content?.length ?? 0;
        checkLength(entry, header.size, length, true);
        // A big in-memory content goes on as it is: copying it into a chunk would cost more than a chunk of its own.
        if (length >= coalescedBytes) yield* out.flushWith(content as Uint8Array);
        else if (length > 0) out.add(content as Uint8Array);
      } else {
        yield* out.flush();
        let written = 0;
        for await (const chunk of content()) {
          written += chunk.length;
          checkLength(entry, header.size, written, false);
          yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        }
        checkLength(entry, header.size, written, true);
      }
      out.add(contentPadding(header.size));
    }
    if (out.bytes >= coalescedBytes) yield* out.flush();
  }
  out.add(endOfArchive());
  yield* out.flush();
}

/**
 * Headers, paddings and small contents are joined into chunks of about this size: a layer of many small files
 * (a package install, a RUN writing 100 files) made three chunks per file, each passed through every consumer's
 * async iteration (hashing, the blob writer), which cost more than the bytes. Streamed content keeps its own chunks.
 */
const coalescedBytes = 64 * 1024;

class Coalescer {
  private parts: Uint8Array[] = [];
  bytes = 0;

  add(part: Uint8Array): void {
    if (part.length === 0) return;
    this.parts.push(part);
    this.bytes += part.length;
  }

  /** The parts gathered so far, as one chunk (none when empty). */
  *flush(): Generator<Buffer> {
    if (this.bytes === 0) return;
    const parts = this.parts;
    const chunk = parts.length === 1 ? asBuffer(parts[0] as Uint8Array) : Buffer.concat(parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    yield chunk;
  }

  /** The parts gathered so far, then `part` as a chunk of its own. */
  *flushWith(part: Uint8Array): Generator<Buffer> {
    yield* this.flush();
    yield asBuffer(part);
  }
}

const asBuffer = (part: Uint8Array): Buffer => Buffer.from(part.buffer, part.byteOffset, part.byteLength);

/** A file's content is exactly its `size` bytes: longer is refused as soon as it is, shorter once it `ended`. */
function checkLength(entry: TarEntry, size: number, length: number, ended: boolean): void {
  if (length > size) throw new TarWriteError(`${entry.path}: content is longer than its size ${size}`);
  if (ended && length !== size) throw new TarWriteError(`${entry.path}: content has ${length} bytes, expected ${size}`);
}

/** A readable byte stream of the tar of `entries` (see `tarChunks`). */
export function tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}
