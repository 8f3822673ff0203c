// Remembered content digests (mount-content.ts, copy-content.ts): each is a pure function of the layers'
// diff_ids and what is read, stored under `cache/<kind>/<hex>.txt`, so a build whose stages are all cached
// reads one small file per digest and no layer data, and `tsbuild plan` can complete a pending key from
// them without mounting anything.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileUnsynced, type Store } from '../../image/index.js';
import { URL_MEMO_KIND } from './url-memo.js';

const MEMO_KINDS = ['mount-content', 'copy-content'] as const;
export type MemoKind = (typeof MEMO_KINDS)[number];

/**
 * The digest that stands for a source that does not exist: the step is keyed, looked up, misses, and then fails
 * with its own error (`"/x": not found` at the Dockerfile line).
 */
export const MISSING = 'missing';

/** A digest asked for with `rememberedOnly` that no build has remembered yet. */
export class ContentNotRemembered extends Error {}

/**
 * The remembered digest of `kind` for `what` (everything the digest is a function of: the layers' diff_ids and
 * what is read of them), else `compute()`'s (then remembered); with `rememberedOnly`, throws
 * ContentNotRemembered instead of computing.
 */
export async function rememberedDigest(
  store: Store,
  kind: MemoKind,
  what: Readonly<Record<string, unknown>>,
  rememberedOnly: boolean,
  compute: () => Promise<string>,
): Promise<string> {
  const memoHex = createHash('sha256').update(JSON.stringify(what)).digest('hex');
  const memo = path.join(store.paths.cache, kind, `${memoHex}.txt`);
  const known = await readFile(memo, 'utf8').catch(() => '');
  if (/^sha256:[0-9a-f]{64}$/.test(known) || known === MISSING) return known;
  if (rememberedOnly) throw new ContentNotRemembered(`${kind} ${memoHex} is not remembered`);
  const digest = await compute();
  await mkdir(path.dirname(memo), { recursive: true });
  // An advisory memo: a torn one fails the pattern above and is recomputed, so it is not fsynced.
  await replaceFileUnsynced(memo, digest);
  return digest;
}

/**
 * Forgets every remembered digest (with the build cache, `tsbuild prune --build-cache`): one small file per
 * stage content a build read and per URL it downloaded (url-memo.ts), which nothing else ever removes. They are
 * pure functions of what they name, so forgetting them only means reading that content again once.
 */
export async function forgetContentDigests(store: Store): Promise<void> {
  for (const kind of [...MEMO_KINDS, URL_MEMO_KIND]) {
    await rm(path.join(store.paths.cache, kind), { recursive: true, force: true });
  }
}
