// A snapshot of a build context: the walked, filtered entries plus lazily computed BuildKit
// digests (files hashed at most once per content change thanks to the stat cache).

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { directoryDigest, EMPTY_DIGEST, headerFor, headerOnlyDigest, type OwnerPolicy } from './checksum.js';
import type { ContextEntry } from './entry.js';
import { FileHasher, type FileReader } from './file-hasher.js';
import { type IgnorePattern, parseIgnoreFile } from './ignore-file.js';
import { compileIgnore } from './ignore-matcher.js';
import type { StatCache } from './stat-cache.js';
import { type WalkFs, walkContext } from './walk.js';

export interface SnapshotOptions {
  /** Ignore file to use; `null` for none; undefined to pick it as Docker does. */
  readonly ignoreFile?: string | null;
  /** The Dockerfile (absolute, or relative to the context); selects `<Dockerfile>.dockerignore`. */
  readonly dockerfilePath?: string;
  readonly statCache?: StatCache;
  /** Reset uid/gid to 0 in digests, as the docker client does for the context (default true). */
  readonly resetOwner?: boolean;
  /** Start hashing every regular file during the walk (in worker threads). */
  readonly hashAll?: boolean;
  /** Worker threads for hashing (default: cores - 1, 1 to 4), or concurrent reads with `readFile`. */
  readonly hashConcurrency?: number;
  /** Injectable I/O (tests). */
  readonly readFile?: FileReader;
  readonly walkFs?: WalkFs;
}

/** The context root's own path in the snapshot API. */
export const ROOT = '';

export class ContextSnapshot {
  private readonly byPath = new Map<string, ContextEntry>();
  private readonly childrenOf = new Map<string, ContextEntry[]>();
  private readonly dirDigests = new Map<string, string>();
  private readonly entryDigests = new Map<string, string>();
  /** Files being hashed → callers waiting for one of them. */
  private readonly inFlight = new Map<string, { resolve(d: string): void; reject(e: Error): void }[]>();
  private readonly failures = new Map<string, Error>();
  private readonly drained: (() => void)[] = [];
  private running = 0;
  private readonly policy: OwnerPolicy;

  private ordered: readonly ContextEntry[] = [];

  constructor(
    /** Absolute, symlink-free path of the context directory. */
    readonly root: string,
    /** The ignore file that was applied (absolute), or null. */
    readonly ignoreFile: string | null,
    readonly ignorePatterns: readonly IgnorePattern[],
    /** The Dockerfile (absolute) if one was given: always readable, even when excluded. */
    readonly dockerfile: string | null,
    private readonly hasher: FileHasher,
    resetOwner: boolean,
  ) {
    this.policy = { resetOwner };
    this.childrenOf.set(ROOT, []);
  }

  /** Included entries in walk order (depth-first, names in byte order). */
  get entries(): readonly ContextEntry[] {
    return this.ordered;
  }

  /**
   * Used by `snapshotContext` while walking: records an entry (a directory before the siblings
   * that follow it; an excluded parent directory right after its re-included descendants);
   * `prefetch` starts hashing it.
   */
  add(e: ContextEntry, prefetch: boolean): void {
    this.byPath.set(e.path, e);
    const slash = e.path.lastIndexOf('/');
    const parent = slash < 0 ? ROOT : e.path.slice(0, slash);
    let list = this.childrenOf.get(parent);
    if (!list) {
      list = [];
      this.childrenOf.set(parent, list);
    }
    list.push(e);
    if (e.type === 'dir' && !this.childrenOf.has(e.path)) this.childrenOf.set(e.path, []);
    if (prefetch && e.type === 'file') this.prefetch(e.path);
  }

  /** Used by `snapshotContext`: sets the walk order once the walk is complete. */
  seal(ordered: readonly ContextEntry[]): void {
    this.ordered = ordered;
  }

  /** The entry at `relPath` (no symlink resolution), or undefined if absent or excluded. */
  get(relPath: string): ContextEntry | undefined {
    return this.byPath.get(relPath);
  }

  /** Direct children of a directory (`ROOT` for the context root), in name byte order. */
  children(dirPath: string): readonly ContextEntry[] {
    return this.childrenOf.get(dirPath) ?? [];
  }

  /** Absolute path of an entry on disk. */
  absolutePath(relPath: string): string {
    return relPath === ROOT ? this.root : path.join(this.root, relPath);
  }

  /** Reads the Dockerfile or the ignore file: the builder may always read them, even if excluded. */
  async readBuilderFile(which: 'dockerfile' | 'ignoreFile'): Promise<Buffer> {
    const file = which === 'dockerfile' ? this.dockerfile : this.ignoreFile;
    if (!file) throw new Error(`no ${which === 'dockerfile' ? 'Dockerfile' : 'ignore file'} in this snapshot`);
    return fsp.readFile(file);
  }

  /** BuildKit's digest of one entry (4.2): a file's header+content, a directory's header only. */
  async entryDigest(relPath: string): Promise<string> {
    return this.digestOrPending(relPath);
  }

  /** The digest now if no file must be read (memo, stat-cache hit, no content), else a promise. */
  private digestOrPending(relPath: string): string | Promise<string> {
    const now = this.knownOrStart(relPath);
    if (now !== undefined) return now;
    return new Promise((resolve, reject) => this.inFlight.get(relPath)!.push({ resolve, reject }));
  }

  /** The digest if known without reading; otherwise makes sure the file is being hashed. */
  private knownOrStart(relPath: string): string | undefined {
    if (relPath === ROOT) return EMPTY_DIGEST;
    const memo = this.entryDigests.get(relPath);
    if (memo !== undefined || this.inFlight.has(relPath)) return memo;
    const e = this.byPath.get(relPath);
    if (!e) throw new Error(`${JSON.stringify('/' + relPath)}: not found`);
    const header = headerFor(e, this.policy);
    if (e.type !== 'file') {
      const digest = headerOnlyDigest(header);
      this.entryDigests.set(relPath, digest);
      return digest;
    }
    const key = this.hasher.keyFor(e, header);
    const cached = this.hasher.lookup(key);
    if (cached !== undefined) {
      this.entryDigests.set(relPath, cached);
      return cached;
    }
    // A failure is not memoised: this request tries again (and reports the error again).
    this.failures.delete(relPath);
    this.inFlight.set(relPath, []);
    this.running++;
    this.hasher.compute(this.absolutePath(relPath), e, header, key, (err, digest) => {
      const waiters = this.inFlight.get(relPath) ?? [];
      this.inFlight.delete(relPath);
      if (err) this.failures.set(relPath, err);
      else this.entryDigests.set(relPath, digest!);
      for (const w of waiters) {
        if (err) w.reject(err);
        else w.resolve(digest!);
      }
      if (--this.running === 0) for (const wake of this.drained.splice(0)) wake();
    });
    return undefined;
  }

  /** Starts hashing `relPath` if needed, without waiting (errors surface when it is requested). */
  prefetch(relPath: string): void {
    this.knownOrStart(relPath);
  }

  /** A directory's recursive contents digest (4.3); for any other entry its entry digest. */
  async contentDigest(relPath: string): Promise<string> {
    const e = relPath === ROOT ? undefined : this.byPath.get(relPath);
    if (relPath !== ROOT && e?.type !== 'dir') return this.entryDigest(relPath);
    // Hash whatever is missing below (in parallel), then combine synchronously.
    const files: string[] = [];
    const visit = (dir: string): void => {
      for (const k of this.children(dir)) {
        if (k.type === 'dir') visit(k.path);
        else if (this.knownOrStart(k.path) === undefined) files.push(k.path);
      }
    };
    visit(relPath);
    await this.settle(files);
    return this.contentDigestSync(relPath);
  }

  private contentDigestSync(relPath: string): string {
    const memo = this.dirDigests.get(relPath);
    if (memo !== undefined) return memo;
    const children = this.children(relPath).map((k) => ({
      name: k.path.slice(k.path.lastIndexOf('/') + 1),
      digest: k.type === 'dir' ? this.contentDigestSync(k.path) : (this.digestOrPending(k.path) as string),
    }));
    // Children are kept in name byte order already.
    const digest = directoryDigest(this.digestOrPending(relPath) as string, children, true);
    this.dirDigests.set(relPath, digest);
    return digest;
  }

  /** Hashes every regular file not answered by the stat cache; returns how many files there are. */
  async digestAll(): Promise<number> {
    let files = 0;
    const pending: string[] = [];
    for (const e of this.entries) {
      if (e.type !== 'file') continue;
      files++;
      if (this.knownOrStart(e.path) === undefined) pending.push(e.path);
    }
    await this.settle(pending);
    return files;
  }

  /** Waits until no hash is running, then throws the first failure among `paths`, if any. */
  private async settle(paths: readonly string[]): Promise<void> {
    while (this.running > 0) await new Promise<void>((wake) => this.drained.push(wake));
    for (const p of paths) {
      const err = this.failures.get(p);
      if (err) throw err;
    }
  }

  /** Stops the hashing worker threads now (they also stop by themselves after 1 s idle). */
  close(): void {
    this.hasher.close();
  }

  /** Stat-cache keys used so far (to prune a cache dedicated to this context). */
  get usedStatKeys(): ReadonlySet<string> {
    return this.hasher.usedKeys;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

/** BuildKit's choice: `<Dockerfile>.dockerignore` beside the Dockerfile, else `<context>/.dockerignore`. */
export async function findIgnoreFile(root: string, dockerfile: string | null): Promise<string | null> {
  if (dockerfile) {
    const perDockerfile = `${dockerfile}.dockerignore`;
    if (await exists(perDockerfile)) return perDockerfile;
  }
  const inContext = path.join(root, '.dockerignore');
  return (await exists(inContext)) ? inContext : null;
}

/** Walks `dir` once, applies the ignore file, and returns a snapshot (digests are lazy). */
export async function snapshotContext(dir: string, opts: SnapshotOptions = {}): Promise<ContextSnapshot> {
  const root = await fsp.realpath(path.resolve(dir));
  const dockerfile = opts.dockerfilePath ? path.resolve(root, opts.dockerfilePath) : null;
  const ignoreFile =
    opts.ignoreFile === undefined
      ? await findIgnoreFile(root, dockerfile)
      : opts.ignoreFile && path.resolve(opts.ignoreFile);
  const ignorePatterns = ignoreFile ? parseIgnoreFile(await fsp.readFile(ignoreFile, 'utf8')) : [];
  const matcher = ignorePatterns.length > 0 ? compileIgnore(ignorePatterns) : null;
  const hasher = new FileHasher(opts.statCache, opts.readFile, opts.hashConcurrency);
  const snapshot = new ContextSnapshot(root, ignoreFile, ignorePatterns, dockerfile, hasher, opts.resetOwner ?? true);
  const ordered = await walkContext(root, {
    matcher,
    ...(opts.walkFs ? { fs: opts.walkFs } : {}),
    onEntry: (e) => snapshot.add(e, opts.hashAll ?? false),
  });
  snapshot.seal(ordered);
  return snapshot;
}
