// A layer kept only as its snapshot. A RUN's layer already lies on disk unpacked (the step's upper dir, published as
// `snapshots/<id>/`), so writing its tar into `blobs/` as well would store every byte twice, and for a big layer that
// second write is most of the step's commit (DESIGN.md: "keep layers uncompressed on disk as snapshots"). Instead the
// commit hashes the tar without writing it and stores a recipe: the layer's tar entries in order (canonical order,
// mtimes already clamped), each regular file naming its path in the snapshot. The tar is rebuilt from the recipe, byte
// for byte, when a command needs the blob itself (save, push, export, a copy that reuses it), and checked against the
// digest and size it was committed with: a snapshot that changed gives an error, never a wrong blob.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { digestHex } from '../digest.js';
import { readAhead, readAheadFileBytes } from '../layer/read-ahead.js';
import type { TarEntry, TarHeader } from '../layer/tar-entry.js';
import { tarChunks } from '../layer/tar-writer.js';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';

/** One tar entry of a recipe: the header, xattr values in base64, and a regular file's path in the snapshot. */
export interface RecipeEntry extends Omit<TarHeader, 'size' | 'xattrs'> {
  size?: number;
  xattrs?: Record<string, string>;
  /** `/`-separated path of the file's content below the snapshot directory. */
  source?: string;
}

export interface LayerRecipe {
  readonly version: 1;
  /** Digest (and diff_id) of the uncompressed tar. */
  readonly digest: Digest;
  readonly size: number;
  /** The snapshot directory, relative to the store root (`snapshots/<id>`). */
  readonly snapshot: string;
  readonly entries: readonly RecipeEntry[];
}

/** The blob cannot be rebuilt: the snapshot is gone or changed. */
export class LayerRecipeError extends Error {
  readonly code = 'E_LAYER_RECIPE';
}

export function recipePath(recipesDir: string, digest: Digest): string {
  return path.join(recipesDir, `${digestHex(digest)}.json`);
}

/**
 * The snapshot directory a layer's recipe follows: `<snapshotsDir>/<16 hex of its digest>` (the layer is uncompressed,
 * its digest is its diff_id), the name the commit gives it. Found without reading the recipe.
 */
export function recipeSnapshotDir(snapshotsDir: string, digest: Digest): string {
  return path.join(snapshotsDir, digestHex(digest).slice(0, 16));
}

/**
 * Writes the recipe crash-safely once the snapshot it names is durable: the caller synced the snapshot's file data;
 * the snapshot directory's rename into place is synced here (with ext4's ordered journal, the metadata of everything
 * in it too), so a stored recipe can always be followed after a power loss.
 */
export async function writeRecipe(storeRoot: string, recipesDir: string, recipe: LayerRecipe): Promise<void> {
  await fsyncDir(path.dirname(path.join(storeRoot, recipe.snapshot)));
  await mkdir(recipesDir, { recursive: true });
  await writeFileAtomic(recipePath(recipesDir, recipe.digest), JSON.stringify(recipe));
}

/** The recipe of `digest`, or undefined when there is none. */
export async function readRecipe(recipesDir: string, digest: Digest): Promise<LayerRecipe | undefined> {
  const file = recipePath(recipesDir, digest);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let recipe: LayerRecipe;
  try {
    recipe = JSON.parse(text) as LayerRecipe;
  } catch {
    throw new LayerRecipeError(`layer ${digest}: its recipe ${file} is not valid JSON`);
  }
  if (recipe.version !== 1 || recipe.digest !== digest || !Array.isArray(recipe.entries)) {
    throw new LayerRecipeError(`layer ${digest}: its recipe ${file} is not one this tsbuild reads`);
  }
  return recipe;
}

/** The recipe entry of a prepared tar entry whose content, if any, is the file `source` below the snapshot. */
export function recipeEntry(entry: TarEntry, source: string | undefined): RecipeEntry {
  const { content: _content, xattrs, ...header } = entry;
  return {
    ...header,
    ...(xattrs === undefined
      ? {}
      : {
          xattrs: Object.fromEntries(Object.entries(xattrs).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        }),
    ...(source === undefined ? {} : { source }),
  };
}

/**
 * The layer's tar, rebuilt from `recipe` with the files of the snapshot below `storeRoot`; throws LayerRecipeError at
 * the end when the bytes are not the ones committed (a consumer must not keep them).
 */
export async function* recipeTar(storeRoot: string, recipe: LayerRecipe): AsyncGenerator<Uint8Array> {
  const snapshot = path.join(storeRoot, recipe.snapshot);
  // Removed by hand (nothing in tsbuild removes the snapshot of a layer a recipe names): said before any byte.
  await access(snapshot).catch(() => {
    throw new LayerRecipeError(
      `layer ${recipe.digest} cannot be rebuilt: its snapshot ${snapshot} is gone; ` +
        'remove the images that use it and build (or pull) them again',
    );
  });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of tarChunks(readAhead(tarEntries(snapshot, recipe)))) {
    hash.update(chunk);
    size += chunk.length;
    yield chunk;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== recipe.digest || size !== recipe.size) {
    throw new LayerRecipeError(
      `layer ${recipe.digest} cannot be rebuilt from its snapshot ${snapshot}: the snapshot changed ` +
        `(got ${digest}, ${size} bytes); remove the images that use it and build again`,
    );
  }
}

/** Files bigger than this are checked for their size before they are read (see fileChunks). */
const smallFile = readAheadFileBytes;
const chunkBytes = 1 << 20;

/** The recipe's entries as tar entries, each file's content read from the snapshot. */
function tarEntries(snapshot: string, recipe: LayerRecipe): TarEntry[] {
  return recipe.entries.map((entry) => {
    const { source, xattrs, ...header } = entry;
    return {
      ...header,
      ...(xattrs === undefined
        ? {}
        : { xattrs: Object.fromEntries(Object.entries(xattrs).map(([k, v]) => [k, Buffer.from(v, 'base64')])) }),
      ...(source === undefined
        ? {}
        : { content: () => fileChunks(snapshotPath(snapshot, source, recipe.digest), entry.size ?? 0, recipe.digest) }),
    };
  });
}

function snapshotPath(snapshot: string, source: string, digest: Digest): string {
  const file = path.join(snapshot, source);
  if (path.relative(snapshot, file).startsWith('..')) {
    throw new LayerRecipeError(`layer ${digest}: its recipe names ${JSON.stringify(source)}, outside the snapshot`);
  }
  return file;
}

/**
 * A file of the snapshot in chunks of at most 1 MiB, each a buffer of its own (a consumer may keep it): not followed
 * if a symlink took its place, and of the size the recipe says.
 */
async function* fileChunks(file: string, size: number, digest: Digest): AsyncGenerator<Buffer> {
  const spoiled = (why: string) =>
    new LayerRecipeError(
      `layer ${digest} cannot be rebuilt from its snapshot: ${file}${why}; remove the images that use it and build again`,
    );
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw spoiled(`: ${(error as Error).message}`);
  }
  try {
    // A small file that grew is caught by the digest at the end; the fstat is not worth its cost on each of them.
    if (size > smallFile) {
      const actual = (await handle.stat()).size;
      if (actual !== size) throw spoiled(` has ${actual} bytes, the layer ${size}`);
    }
    let position = 0;
    while (position < size) {
      const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, size - position));
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
        if (bytesRead === 0) throw spoiled(` ended at ${position + filled} bytes, the layer has ${size}`);
        filled += bytesRead;
      }
      position += filled;
      yield buffer;
    }
  } finally {
    await handle.close();
  }
}
