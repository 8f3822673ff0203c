// `--build-context NAME=VALUE` for a build: each local directory is snapshotted as the build context is (walked
// once, its own `.dockerignore` applied as BuildKit's dockerui does for a named context, file digests through a
// stat cache kept in the store), and only when the plan first reads it; an image alias goes to the planner as is.
import { type ContextSnapshot, contextStatCacheFile, StatCache, snapshotContext } from '../../cache/index.js';
import type { Store } from '../../image/index.js';
import { lazySnapshotSource, type NamedContext, redactCredentials } from '../../planner/index.js';
import { BuildError } from './errors.js';
import type { Progress } from './progress.js';

/** A named context as the CLI gives it: names are normalised already (planner `contextName`). */
export type BuildContextOption =
  /** `docker-image://REF`: the normalised reference, or `scratch`. */
  | { readonly type: 'image'; readonly ref: string }
  /**
   * A local directory (absolute, or relative to the working directory). `remote`: the URL it was fetched from
   * into a private directory (no .dockerignore applies, and no stat cache is kept for it).
   */
  | { readonly type: 'local'; readonly dir: string; readonly remote?: string }
  /** A git repository URL; the CLI checks it out and passes it on as `local` with `remote`. */
  | { readonly type: 'git'; readonly url: string }
  /** Any other http(s) URL: the downloaded file is the context; the CLI passes it on as `local` with `remote`. */
  | { readonly type: 'http'; readonly url: string };

export interface LoadedContexts {
  /** What the planner resolves names with. */
  readonly planned: ReadonlyMap<string, NamedContext>;
  /** The snapshots COPY and mounts read (StepEnv.namedContexts): those of the contexts the plan read. */
  readonly snapshots: ReadonlyMap<string, ContextSnapshot>;
  /** Keeps the digests computed while planning for the next build (best effort). */
  save(): Promise<void>;
}

export async function loadNamedContexts(
  store: Store,
  options: ReadonlyMap<string, BuildContextOption>,
  progress: Progress,
): Promise<LoadedContexts> {
  const planned = new Map<string, NamedContext>();
  const snapshots = new Map<string, ContextSnapshot>();
  const caches: StatCache[] = [];
  for (const [name, option] of options) {
    if (option.type === 'image') {
      planned.set(name, option);
      continue;
    }
    if (option.type !== 'local') throw new BuildError(`build context ${name}: ${option.url} was not fetched`);
    const local = option;
    let loading: Promise<ContextSnapshot> | undefined;
    const load = (): Promise<ContextSnapshot> => {
      loading ??= loadLocal(store, name, local, progress, caches).then((snapshot) => {
        snapshots.set(name, snapshot);
        return snapshot;
      });
      return loading;
    };
    planned.set(name, { type: 'local', source: lazySnapshotSource(load) });
  }
  return {
    planned,
    snapshots,
    save: async () => {
      await Promise.all(caches.map((cache) => cache.save().catch(() => {})));
    },
  };
}

/** Walks a local named context (when the plan first reads it: lazySnapshotSource), with its progress line. */
async function loadLocal(
  store: Store,
  name: string,
  option: Extract<BuildContextOption, { type: 'local' }>,
  progress: Progress,
  caches: StatCache[],
): Promise<ContextSnapshot> {
  const from = option.remote === undefined ? 'from client' : redactCredentials(option.remote);
  const step = progress.step(`[context ${name}] load ${from}`);
  try {
    const remote = option.remote !== undefined;
    const statCache = remote
      ? StatCache.inMemory()
      : await StatCache.open(contextStatCacheFile(store.paths.cache, option.dir));
    caches.push(statCache);
    const snapshot = await snapshotContext(option.dir, { statCache, ...(remote ? { ignoreFile: null } : {}) });
    step.done();
    return snapshot;
  } catch (error) {
    step.error((error as Error).message);
    throw new BuildError(`cannot read build context ${name} (${option.dir}): ${(error as Error).message}`);
  }
}
