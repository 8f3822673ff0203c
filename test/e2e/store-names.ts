// What a store's names point at, for tests of durability: nothing may name a blob (or a lazy layer's recipe)
// before it is durable.
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readIndexFile, type Store } from '../../image/index.js';

/** Every digest the store's names point at: index entries and the build cache's records (layer, manifest, config). */
export async function namedDigests(store: Store): Promise<Set<string>> {
  const named = new Set<string>();
  for (const m of (await readIndexFile(store.paths.indexJson)).manifests) named.add(m.digest);
  const records = path.join(store.paths.cache, 'build');
  for (const name of await readdir(records).catch(() => [] as string[])) {
    if (name.includes('.tmp-')) continue;
    const text = readFileSync(path.join(records, name), 'utf8');
    const record = JSON.parse(text.slice(0, text.indexOf('\n'))) as {
      layer?: { digest: string } | null;
      manifest?: string;
      config?: string;
    };
    for (const digest of [record.layer?.digest, record.manifest, record.config]) if (digest) named.add(digest);
  }
  return named;
}
