// What a build reads besides the Dockerfile and its base images, as the planner asks for it: the context (the
// checksum of the files a COPY/ADD source selects), named contexts, git repositories and the date of remote
// sources. `cache/` and the executor implement these; tests fake them.

/** One file or directory entry a COPY/ADD selected from the context, with its content checksum. */
export interface SelectedFile {
  readonly path: string;
  readonly digest: string;
}

/**
 * The files a context source selects, listed on demand: a `COPY . /app` of a large context selects tens of
 * thousands, and only `tsbuild plan` and the recorded plan read them, never a build (whose key is `digest`).
 */
export type SelectedFiles = () => Promise<readonly SelectedFile[]>;

export type SourceChecksum =
  | { readonly ok: true; readonly digest: string; readonly files: SelectedFiles }
  | { readonly ok: false; readonly missing: string };

export interface SourceSelectionOptions {
  readonly excludes: readonly string[];
  readonly parents: boolean;
}

/**
 * The build context as the planner needs it: BuildKit's checksum of one COPY/ADD source path
 * (CACHE.md 4.4) after `.dockerignore`. `cache/` implements it over a context snapshot.
 */
export interface ContextSource {
  checksum(source: string, options: SourceSelectionOptions): Promise<SourceChecksum>;
}

/**
 * A named context (`--build-context NAME=VALUE`, BuildKit's `context:NAME`): what FROM, `COPY --from` and
 * `RUN --mount=from=` get when they name it, and what replaces a stage of that name.
 */
export type NamedContext =
  /** `docker-image://REF`: the normalised reference, or `scratch`. */
  | { readonly type: 'image'; readonly ref: string }
  /** A local directory, selected and checksummed as the build context is (with its own `.dockerignore`). */
  | { readonly type: 'local'; readonly source: ContextSource };

/** What `git ls-remote` says a ref of a remote points to. */
export interface GitResolution {
  /** The ref that matched (`refs/heads/main`, `refs/tags/v1`), as BuildKit picks among branch and tag. */
  readonly ref: string;
  /** What the ref points to: a commit, or an annotated tag's object. */
  readonly sha: string;
  /** For an annotated tag, the commit it points to. */
  readonly tagCommit?: string;
}

/** Resolves git refs to commits (`git ls-remote`); the executor implements it, tests fake it. */
export interface GitResolver {
  /** `ref` empty: the remote's default branch. Throws an Error whose message a user can act on. */
  resolve(remote: string, ref: string): Promise<GitResolution>;
}

/** One git repository an ADD checks out, as planned. */
export interface GitCheckout {
  /** The source as the instruction gives it (expanded). */
  readonly source: string;
  /** What git fetches from (may hold credentials: never printed as is). */
  readonly remote: string;
  /** The ref to fetch: the matched ref, or the commit id when the source names one. */
  readonly ref: string;
  /** What `ref` pointed to when planned; the checkout fails if it cannot get this object. */
  readonly sha: string;
  /** The commit whose tree is checked out. */
  readonly commit: string;
  /** Directory of the repository copied (cleaned, rooted; `/` for all). */
  readonly subdir: string;
  readonly keepGitDir: boolean;
  readonly submodules: boolean;
  /** File times: the commit's (`commit`) or the time of the checkout. */
  readonly mtime: 'commit' | 'checkout';
}

/** Dates a build from a remote source, for `SOURCE_DATE_EPOCH=<stage>`; the executor downloads. */
export interface SourceEpochResolver {
  /** Seconds: the Last-Modified of the response, else the newest mtime of the archive's files; null for neither. */
  httpEpoch(url: string, checksum: string | null): Promise<number | null>;
  /** Seconds: the committer time of the commit a git source resolved to; absent: such a source gives no epoch. */
  gitEpoch?(checkout: GitCheckout): Promise<number | null>;
}
