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

async function* contentChunks(entry: TarEntry): AsyncGenerator<Uint8Array> {
  const content = entry.content;
  if (content === undefined) return;
  if (content instanceof Uint8Array) yield content;
  else yield* content();
}

/**
 * Serialises entries in the order given, streaming file content: each file's content source is opened only
 * when that entry is reached, and the stream's back-pressure pauses reading, so large files never sit in memory.
 * The content of a file must be exactly `size` bytes (a file that changed while being read is an error).
 */
export async function* tarChunks(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const header = entryHeader(entry);
    yield encodeHeader(header);
    if (entry.type !== 'file') continue;
    let written = 0;
    for await (const chunk of contentChunks(entry)) {
      written += chunk.length;
      if (written > header.size)
        throw new TarWriteError(`${entry.path}: content is longer than its size ${header.size}`);
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    if (written !== header.size) {
      throw new TarWriteError(`${entry.path}: content has ${written} bytes, expected ${header.size}`);
    }
    yield contentPadding(header.size);
  }
  yield endOfArchive();
}

/** A readable byte stream of the tar of `entries` (see `tarChunks`). */
export function tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}
