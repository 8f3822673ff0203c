// A snapshot of a build context: the walked, filtered entries plus lazily computed BuildKit
// digests (files hashed at most once per content change thanks to the stat cache).

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { directoryDigest, EMPTY_DIGEST, headerFor, headerOnlyDigest, type OwnerPolicy } from './checksum.js';
import { type ContextEntry, compareNames } from './entry.js';
import { FileHasher, type FileReader } from './file-hasher.js';
import { type IgnorePattern, parseIgnoreFile } from './ignore-file.js';
import { compileIgnore } from './ignore-matcher.js';
import { mapLimit } from './limit.js';
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
  /** Concurrent filesystem calls during the walk (default 64) and file hashes (default 4). */
  readonly walkConcurrency?: number;
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
  private readonly dirDigests = new Map<string, Promise<string>>();
  private readonly policy: OwnerPolicy;

  constructor(
    /** Absolute, symlink-free path of the context directory. */
    readonly root: string,
    /** Included entries in walk order (depth-first, names in byte order). */
    readonly entries: readonly ContextEntry[],
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
    for (const e of entries) {
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
    }
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
    if (relPath === ROOT) return EMPTY_DIGEST;
    const e = this.byPath.get(relPath);
    if (!e) throw new Error(`${JSON.stringify('/' + relPath)}: not found`);
    const header = headerFor(e, this.policy);
    if (e.type === 'file') return this.hasher.digest(this.absolutePath(relPath), e, header);
    return headerOnlyDigest(header);
  }

  /** A directory's recursive contents digest (4.3); for any other entry its entry digest. */
  contentDigest(relPath: string): Promise<string> {
    const e = relPath === ROOT ? undefined : this.byPath.get(relPath);
    if (relPath !== ROOT && e?.type !== 'dir') return this.entryDigest(relPath);
    let pending = this.dirDigests.get(relPath);
    if (!pending) {
      pending = (async () => {
        const header = await this.entryDigest(relPath);
        const kids = this.children(relPath);
        const digests = await Promise.all(kids.map((k) => this.contentDigest(k.path)));
        const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
        return directoryDigest(
          header,
          kids.map((k, i) => ({ name: base(k.path), digest: digests[i] })),
        );
      })();
      this.dirDigests.set(relPath, pending);
    }
    return pending;
  }

  /** Hashes every regular file (bounded parallelism); returns how many files there are. */
  async digestAll(): Promise<number> {
    const files = this.entries.filter((e) => e.type === 'file');
    await mapLimit(files, 64, (e) => this.entryDigest(e.path));
    return files.length;
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
  const entries = await walkContext(root, {
    matcher,
    concurrency: opts.walkConcurrency ?? 64,
    ...(opts.walkFs ? { fs: opts.walkFs } : {}),
  });
  const hasher = new FileHasher(opts.statCache, opts.readFile, opts.hashConcurrency ?? 4);
  return new ContextSnapshot(root, entries, ignoreFile, ignorePatterns, dockerfile, hasher, opts.resetOwner ?? true);
}

export { compareNames };
