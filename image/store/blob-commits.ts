// The blob commits of this process still in flight: blobs written and hashed whose fsync → rename → directory fsync
// (blob-writer.ts `writeBlobDeferred`) goes on in the background while the build goes on. Whatever names a blob (a
// cache record, an index entry, a tag) waits here for it first (`durable`), so no name ever points at a blob a crash
// could lose; whatever reads a blob by its digest waits too (`settled`), as its file appears only at the rename.
// A commit that failed stays failed for the rest of the process (unless the blob is written again): a record that
// names it later fails as the first one did, instead of naming a blob that is not there.
import type { Digest } from '../digest.js';

export class BlobCommits {
  private readonly commits = new Map<Digest, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  /** Tracks `durable`, the commit of `digest`, until it ends (and, when it fails, for good). */
  track(digest: Digest, durable: Promise<void>): void {
    // Every waiter reports the failure; the commit itself must never be an unhandled rejection.
    durable.catch(() => {});
    const previous = this.commits.get(digest);
    // Two commits of one digest at once (same content): durable when either is, as the file is then there.
    const combined = previous === undefined ? durable : durable.catch(() => previous);
    this.commits.set(digest, combined);
    this.running.add(combined);
    combined.then(
      () => {
        if (this.commits.get(digest) === combined) this.commits.delete(digest);
        this.running.delete(combined);
      },
      () => this.running.delete(combined),
    );
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
