// `tsbuild rmi [-f] IMAGE…`: untags; an image whose last tag goes is removed from the store's index (its blobs
// go at the next `tsbuild prune`, so a concurrent build never loses a layer it is using). By ID, an image
// tagged in several repositories needs `-f`, as in Docker.
import {
  Annotation,
  familiarString,
  isSha256Digest,
  normalizeReference,
  parseDockerRef,
  referenceName,
  type Store,
} from '../../../image/index.js';
import { readIndexEntries, topDigestOf } from '../images/catalog.js';
import { type CommandIo, errorText, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { shortId } from '../images/human.js';

export interface RmiOptions extends StoreOptions {
  readonly images: readonly string[];
  readonly force?: boolean;
}

/** The stored reference `name` spells (a tag, or a digest reference `name@sha256:…`), if it exists. */
async function tagNamed(store: Store, name: string): Promise<string | undefined> {
  let ref: string;
  try {
    if (isSha256Digest(name)) return undefined;
    ref = normalizeReference(name);
  } catch {
    return undefined;
  }
  const entries = await readIndexEntries(store);
  return entries.some((entry) => entry.annotations?.[Annotation.refName] === ref) ? ref : undefined;
}

const display = (ref: string) => familiarString(parseDockerRef(ref));

async function removeOne(store: Store, name: string, force: boolean, io: CommandIo): Promise<void> {
  const tag = await tagNamed(store, name);
  if (tag !== undefined) {
    await untagOne(store, tag, io);
    return;
  }
  const image = await store.resolve(name);
  const top = topDigestOf(image);
  const refs = (await readIndexEntries(store)).flatMap((entry) => {
    const ref = entry.annotations?.[Annotation.refName];
    return entry.digest === top && ref !== undefined ? [ref] : [];
  });
  if (new Set(refs.map((ref) => referenceName(parseDockerRef(ref)))).size > 1 && !force) {
    throw new Error(
      `conflict: unable to delete ${shortId(image.configDigest)} (must be forced) - image is referenced in multiple repositories`,
    );
  }
  await store.removeImage(top);
  for (const ref of refs) io.stdout(`Untagged: ${display(ref)}\n`);
  io.stdout(`Deleted: ${image.configDigest}\n`);
}

/**
 * Removes a tag; the image goes with its last reference. A tag needs no image of this machine's platform (an
 * index of other platforms only: a multi-platform build's, a pull for another platform): its id is then that of the
 * index's first image (Store.resolve), as `inspect` shows it, or the index's own when the store has none of them.
 */
async function untagOne(store: Store, tag: string, io: CommandIo): Promise<void> {
  const top = (await readIndexEntries(store)).find((entry) => entry.annotations?.[Annotation.refName] === tag)?.digest;
  const image = await store.resolve(tag).catch(() => undefined);
  await store.untag(tag);
  io.stdout(`Untagged: ${display(tag)}\n`);
  const referenced = (await readIndexEntries(store)).some((entry) => entry.digest === top);
  if (!referenced) io.stdout(`Deleted: ${image?.configDigest ?? top}\n`);
}

export async function run(opts: RmiOptions, io: CommandIo = processIo): Promise<number> {
  let status = 0;
  let store: Store;
  try {
    store = await openStore(opts, io);
  } catch (error) {
    io.stderr(`Error: ${errorText(error)}\n`);
    return 1;
  }
  for (const name of opts.images) {
    try {
      await removeOne(store, name, opts.force === true, io);
    } catch (error) {
      io.stderr(`Error: ${errorText(error)}\n`);
      status = 1;
    }
  }
  return status;
}
