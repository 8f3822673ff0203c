// Tar entries in order with the content of small files read ahead: the tar writer is sequential, and reading one
// small file at a time leaves the disk idle between reads. Used for layers written from a step's files and for layer
// tars rebuilt from a snapshot (a package install has tens of thousands of small files).
import type { TarEntry } from './tar-entry.js';

/** Files up to this size are read whole ahead of the writer; bigger ones are read when the writer reaches them. */
export const readAheadFileBytes = 64 * 1024;

/** `entries` with the content functions of files up to `readAheadFileBytes` called `window` entries ahead. */
export async function* readAhead(entries: readonly TarEntry[], window = 64): AsyncGenerator<TarEntry> {
  const loads: (Promise<TarEntry> | TarEntry | undefined)[] = [];
  const load = (entry: TarEntry): Promise<TarEntry> | TarEntry => {
    const content = entry.content;
    if (typeof content !== 'function' || (entry.size ?? 0) > readAheadFileBytes) return entry;
    const loaded = (async () => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of content()) chunks.push(chunk);
      // Mostly one chunk (a file read whole): no copy.
      return { ...entry, content: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) };
    })();
    // A read ahead that fails is awaited in its turn; until then it must not count as an unhandled rejection.
    loaded.catch(() => {});
    return loaded;
  };
  let next = 0;
  for (let i = 0; i < entries.length; i++) {
    while (next < entries.length && next < i + window) loads.push(load(entries[next++] as TarEntry));
    const current = loads[i] as Promise<TarEntry> | TarEntry;
    loads[i] = undefined; // the content is released once written
    yield await current;
  }
}
