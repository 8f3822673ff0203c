// Git sources as BuildKit names them (util/gitutil ParseURL, dockerfile/dfgitutil ParseGitRef): which strings
// are git repositories (`https://host/repo.git`, `git://…`, `ssh://…`, `git@host:repo`, and for build contexts
// only `github.com/…`), and what the fragment (`#ref:subdir`) or the query (`?branch=…&subdir=…`) selects.
// An HTTP(S) URL is a git repository only when its path ends in `.git`; anything else is a plain download.

export interface GitRef {
  /** What git fetches from: the URL without BuildKit's fragment or query. */
  readonly remote: string;
  /** Branch, tag, full ref or commit; empty for the remote's default branch. */
  readonly ref: string;
  /** Commit (a hex prefix) the ref must resolve to; empty for none. */
  readonly checksum: string;
  /** Directory of the repository to use, as written; empty for the whole tree. */
  readonly subdir: string;
  /** `keep-git-dir=` of the query; null when not given. */
  readonly keepGitDir: boolean | null;
  /** `submodules=` of the query; null when not given (submodules are checked out). */
  readonly submodules: boolean | null;
  /** `mtime=` of the query: file times from the commit or from the checkout; null when not given. */
  readonly mtime: 'commit' | 'checkout' | null;
  /** `github.com/org/repo`: taken for a repository only where no such local path exists (build contexts). */
  readonly indistinguishableFromLocal: boolean;
}

export class GitRefError extends Error {
  readonly code = 'E_GIT_REF';
}

const PROTOCOLS = new Set(['http', 'https', 'ssh', 'git']);
/** sshutil's implicit SSH form: `user@host:path[#fragment]`. */
const SCP_STYLE = /^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:#(.*))?$/;

/**
 * The git repository `source` names, or null when it names none (a local path, an HTTP URL whose path does not
 * end in `.git`, an unknown scheme). Throws GitRefError for a repository URL whose fragment or query is invalid.
 */
export function parseGitRef(source: string): GitRef | null {
  if (source.startsWith('./') || source.startsWith('../')) return null;
  if (source.startsWith('github.com/')) {
    const { path, fragment } = splitFragment(source.slice('github.com/'.length));
    return { ...selection(fragment, null), remote: `https://github.com/${path}`, indistinguishableFromLocal: true };
  }
  const scheme = /^([a-zA-Z0-9]+):\/\//.exec(source);
  if (scheme !== null) {
    const protocol = scheme[1].toLowerCase();
    if (!PROTOCOLS.has(protocol)) return null;
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      return null;
    }
    if ((protocol === 'http' || protocol === 'https') && !url.pathname.endsWith('.git')) return null;
    const fragment = source.includes('#') ? source.slice(source.indexOf('#') + 1) : '';
    const query = url.search === '' ? null : url.searchParams;
    const hashAt = source.indexOf('#');
    const withoutFragment = hashAt < 0 ? source : source.slice(0, hashAt);
    const queryAt = withoutFragment.indexOf('?');
    const remote = query === null || queryAt < 0 ? withoutFragment : withoutFragment.slice(0, queryAt);
    return { ...selection(fragment, query), remote, indistinguishableFromLocal: false };
  }
  const scp = SCP_STYLE.exec(source);
  if (scp === null) return null;
  const remote = `${scp[1]}@${scp[2]}:${scp[3]}`;
  return { ...selection(scp[4] ?? '', null), remote, indistinguishableFromLocal: false };
}

/** Whether `source` is a plain HTTP(S) download (not a git repository). */
export function isHttpSource(source: string): boolean {
  if (!/^https?:\/\//i.test(source)) return false;
  try {
    return parseGitRef(source) === null;
  } catch {
    return false;
  }
}

/** A commit id: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits. */
export function isCommitSha(value: string): boolean {
  return /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(value);
}

/**
 * The name of the file `ADD <url>` downloads, as BuildKit's Dockerfile frontend gives it to the HTTP source: the
 * URL's last path segment, or `__unnamed__` when it has none.
 */
export function downloadName(url: string): string {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return '__unnamed__'; // as BuildKit when the URL does not parse: the download then fails with its own error
  }
  // Go's URL.Path is decoded before path.Base takes its last segment: an encoded `%2F` separates segments too,
  // so the name never holds a slash (nor is `.` or `..`).
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // malformed escapes: the path as written
  }
  const base = decoded.endsWith('/') ? '' : (decoded.split('/').pop() ?? '');
  return base === '' || base === '.' || base === '..' ? '__unnamed__' : base;
}

/** `remote` with any password (and a user of an HTTP URL) replaced by `xxxxx`, for messages and the log. */
export function redactCredentials(remote: string): string {
  return remote.replace(/^([a-zA-Z0-9]+:\/\/)([^/@]*)@/, (_, scheme: string, user: string) =>
    user.includes(':') || /^https?:/i.test(scheme) ? `${scheme}xxxxx@` : `${scheme}${user}@`,
  );
}

function splitFragment(text: string): { path: string; fragment: string } {
  const at = text.indexOf('#');
  return at < 0 ? { path: text, fragment: '' } : { path: text.slice(0, at), fragment: text.slice(at + 1) };
}

type Selection = Omit<GitRef, 'remote' | 'indistinguishableFromLocal'>;

const NONE: Selection = { ref: '', checksum: '', subdir: '', keepGitDir: null, submodules: null, mtime: null };

function selection(fragment: string, query: URLSearchParams | null): Selection {
  if (query !== null && fragment !== '') throw new GitRefError('URL fragment and query cannot be specified together');
  if (query !== null) return fromQuery(query);
  if (fragment === '') return NONE;
  const colon = fragment.indexOf(':');
  return colon < 0
    ? { ...NONE, ref: fragment }
    : { ...NONE, ref: fragment.slice(0, colon), subdir: fragment.slice(colon + 1) };
}

/** The query form (BuildKit 0.24+): `ref`, `tag`, `branch`, `checksum` (alias `commit`), `subdir` and options. */
function fromQuery(query: URLSearchParams): Selection {
  const out = { ...NONE } as { -readonly [K in keyof Selection]: Selection[K] };
  let refKey: string | null = null;
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    if (values.length !== 1) throw new GitRefError(`query ${JSON.stringify(key)} has multiple values`);
    const value = values[0];
    switch (key) {
      case 'ref':
      case 'tag':
      case 'branch':
        if (refKey !== null)
          throw new GitRefError(`queries ${JSON.stringify(refKey)} and ${JSON.stringify(key)} conflict`);
        refKey = key;
        out.ref = key === 'tag' ? `refs/tags/${value}` : key === 'branch' ? `refs/heads/${value}` : value;
        break;
      case 'checksum':
      case 'commit':
        if (out.checksum !== '' && out.checksum !== value) {
          throw new GitRefError(`queries "checksum" and "commit" conflict`);
        }
        out.checksum = value;
        break;
      case 'subdir':
        out.subdir = value;
        break;
      case 'keep-git-dir':
        out.keepGitDir = parseBool(key, value);
        break;
      case 'submodules':
        out.submodules = parseBool(key, value);
        break;
      case 'mtime':
        if (value !== 'commit' && value !== 'checkout') {
          throw new GitRefError(`invalid value ${JSON.stringify(value)} for query "mtime" (commit or checkout)`);
        }
        out.mtime = value;
        break;
      default:
        throw new GitRefError(
          `unexpected query ${JSON.stringify(key)} (supported: ref, tag, branch, checksum, commit, subdir, keep-git-dir, submodules, mtime)`,
        );
    }
  }
  // A full commit id alone is what is checked out; a prefix verifies the default branch.
  if (out.ref === '' && isCommitSha(out.checksum)) out.ref = out.checksum;
  return out;
}

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new GitRefError(`invalid boolean ${JSON.stringify(value)} for query ${JSON.stringify(key)}`);
}
