// The store's side of layers kept only as their snapshot (layer-recipe.ts): a blob that has no file in `blobs/` but
// a recipe is read by rebuilding its tar, or written from the recipe once a reader needs a file. Another process may
// write the file (and drop the recipe) at any moment: every miss looks once more for the file.
import { createReadStream, existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { Digest } from '../digest.js';
import type { BlobExpectation, BlobInfo } from './blob-writer.js';
import { fileExists } from './fs-util.js';
import { type LayerRecipe, readRecipe, recipePath, recipeTar } from './layer-recipe.js';
import { ImageNotFoundError } from './resolve.js';

/** What of the store these need. */
interface BlobStore {
  readonly root: string;
  readonly paths: { readonly recipes: string };
  blobPath(digest: Digest): string;
  putBlob(data: AsyncIterable<Uint8Array>, expected: BlobExpectation): Promise<BlobInfo>;
}

/**
 * For `error` of reading a blob file: the layer's recipe when the file is missing and there is one; undefined when
 * the file appeared meanwhile; otherwise throws (not found).
 */
export async function recipeOfMissing(
  store: BlobStore,
  error: unknown,
  digest: Digest,
): Promise<LayerRecipe | undefined> {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  const recipe = await readRecipe(store.paths.recipes, digest);
  if (recipe !== undefined || (await fileExists(store.blobPath(digest)))) return recipe;
  throw new ImageNotFoundError(`blob ${digest} not found`);
}

/** The bytes of a blob whose file was missing: its rebuilt tar, verified at its end (or the file, written meanwhile). */
export async function* missingBlobBytes(store: BlobStore, digest: Digest): AsyncGenerator<Uint8Array> {
  const recipe = await readRecipe(store.paths.recipes, digest);
  if (recipe !== undefined) {
    yield* recipeTar(store.root, recipe);
    return;
  }
  const file = store.blobPath(digest);
  if (!existsSync(file)) throw new ImageNotFoundError(`blob ${digest} not found`);
  yield* createReadStream(file);
}

/** The blob's file, written from its recipe first when it has none; the recipe goes once the blob is stored. */
export async function materialiseBlob(store: BlobStore, digest: Digest): Promise<string> {
  const file = store.blobPath(digest);
  if (await fileExists(file)) return file;
  const recipe = await readRecipe(store.paths.recipes, digest);
  if (recipe === undefined) {
    if (await fileExists(file)) return file;
    throw new ImageNotFoundError(`blob ${digest} not found`);
  }
  await store.putBlob(recipeTar(store.root, recipe), { digest: recipe.digest, size: recipe.size });
  await unlink(recipePath(store.paths.recipes, digest)).catch(() => {});
  return file;
}
