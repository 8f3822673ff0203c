// Remembered content digests (mount-content.ts, copy-content.ts): each is a pure function of the layers'
// diff_ids and what is read, stored under `cache/<kind>/<hex>.txt`, so a build whose stages are all cached
// reads one small file per digest and no layer data, and `tsbuild plan` can complete a pending key from
// them without mounting anything.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileUnsynced, type Store } from '../../image/index.js';

export type MemoKind = 'mount-content' | 'copy-content';

/** A digest asked for with `rememberedOnly` that no build has remembered yet. */
export class ContentNotRemembered extends Error {}

/**
 * The remembered digest of `kind` under `memoHex`, else `compute()`'s (then remembered); with
 * `rememberedOnly`, throws ContentNotRemembered instead of computing.
 */
export async function rememberedDigest(
  store: Store,
  kind: MemoKind,
  memoHex: string,
  rememberedOnly: boolean,
  compute: () => Promise<string>,
): Promise<string> {
  const memo = path.join(store.paths.cache, kind, `${memoHex}.txt`);
  const known = await readFile(memo, 'utf8').catch(() => '');
  if (/^(sha256:[0-9a-f]{64}|missing)$/.test(known)) return known;
  if (rememberedOnly) throw new ContentNotRemembered(`${kind} ${memoHex} is not remembered`);
  const digest = await compute();
  await mkdir(path.dirname(memo), { recursive: true });
  // An advisory memo: a torn one fails the pattern above and is recomputed, so it is not fsynced.
  await replaceFileUnsynced(memo, digest);
  return digest;
}
