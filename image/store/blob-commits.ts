// The blob commits of this process still in flight: blobs written and hashed whose fsync → rename → directory fsync
// (blob-writer.ts `writeBlobDeferred`) goes on in the background while the build goes on. Whatever names a blob (a
// cache record, an index entry, a tag) waits here for it first (`durable`), so no name ever points at a blob a crash
// could lose; whatever reads a blob by its digest waits too (`settled`), as its file appears only at the rename.
// A commit that failed stays failed for the rest of the process (unless the blob is written again): a record that
// names it later fails as the first one did, instead of naming a blob that is not there.
import type { Digest } from '../digest.js';
import type { DeferredBlob } from './blob-writer.js';

export class BlobCommits {
  private readonly commits = new Map<Digest, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  /**
   * Tracks a blob being written by `writeBlobDeferred`: from now on when its digest is `known` (given to the writer to
   * check), else once it is written and hashed. A blob that `references` others (a manifest: its config and layers)
   * counts as durable only once they are too: what names it then names all of them. A write that fails before its
   * commit starts (its data, a mismatch) leaves what was tracked of the digest as it was.
   */
  async trackBlob(
    writing: Promise<DeferredBlob>,
    known: Digest | undefined,
    references: readonly Digest[],
  ): Promise<DeferredBlob> {
    const withReferences = (blob: DeferredBlob): Promise<void> =>
      references.length === 0 ? blob.durable : allDurable([blob.durable, this.durable(references)]);
    if (known === undefined) {
      const blob = await writing;
      const durable = withReferences(blob);
      this.track(blob.digest, durable);
      return { ...blob, durable };
    }
    const durable = writing.then(withReferences);
    const entry = this.track(known, durable);
    try {
      return { ...(await writing), durable };
    } catch (error) {
      if (this.commits.get(known) === entry && entry === durable) this.commits.delete(known);
      throw error;
    }
  }

  /**
   * Tracks the commit of `digest` made another way than by `writeBlobDeferred` (a layer's recipe:
   * Store.putLayerRecipeDeferred), as `trackBlob` tracks a blob's: `durable` resolves once it is.
   */
  trackCommit(digest: Digest, durable: Promise<void>): void {
    this.track(digest, durable);
  }

  /** Tracks `durable`, the commit of `digest`, until it ends (and, when it fails, for good); returns its entry. */
  private track(digest: Digest, durable: Promise<void>): Promise<void> {
    // Every waiter reports the failure; the commit itself must never be an unhandled rejection.
    durable.catch(() => {});
    const previous = this.commits.get(digest);
    // Two commits of one digest at once (same content): durable when either is, as the file is then there.
    const entry = previous === undefined ? durable : durable.catch(() => previous);
    this.commits.set(digest, entry);
    this.running.add(entry);
    entry.then(
      () => {
        if (this.commits.get(digest) === entry) this.commits.delete(digest);
        this.running.delete(entry);
      },
      () => this.running.delete(entry),
    );
    return entry;
  }

  /** The commit of `digest` while one is in flight or failed; undefined when its file (if any) is settled. */
  pending(digest: Digest): Promise<void> | undefined {
    return this.commits.get(digest);
  }

  /** Resolves once each of `digests` is durable (or was never committed here); rejects when a commit failed. */
  async durable(digests: Iterable<Digest>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const digest of digests) {
      const commit = this.commits.get(digest);
      if (commit !== undefined) waits.push(commit);
    }
    if (waits.length > 0) await Promise.all(waits);
  }

  /** Resolves once the commit of `digest` has ended, whatever its outcome: its file is there or will not be. */
  async settled(digest: Digest): Promise<void> {
    await this.commits.get(digest)?.catch(() => {});
  }

  /**
   * Runs `write` (of something that names `digests`) once they are durable; its promise rejects when one of them
   * could not be stored (and `write` does not run). Tracked until it ends, as the commits are (`idle`).
   */
  whenDurable<T>(digests: Iterable<Digest>, write: () => Promise<T>): Promise<T> {
    const written = this.durable(digests).then(write);
    const tracked = written.then(
      () => {},
      () => {},
    );
    this.running.add(tracked);
    tracked.then(() => this.running.delete(tracked));
    return written;
  }

  /** Resolves once no commit, nor a write waiting for one, is in flight (failures are for their callers). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** Resolves once all of `commits` have ended; rejects with the first failure then (never while one still runs). */
async function allDurable(commits: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(commits)).find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
}
