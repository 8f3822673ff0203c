// What a step needs from the build around it: the store, the context, other stages' and images'
// filesystems, output streaming, secrets and cancellation.
import type { ContextSnapshot } from '../../cache/index.js';
import type { Store } from '../../image/index.js';
import type { GitAgent } from './git-ssh.js';
import type { FsState } from './layer-ref.js';
import type { ReadViews } from './read-views.js';
import type { SshSource } from './ssh-forward.js';
import type { UrlContents } from './url-content.js';

export interface SecretSource {
  readonly src?: string;
  readonly env?: string;
}

export interface StepEnv {
  readonly store: Store;
  readonly context: ContextSnapshot;
  /** Local named contexts (`--build-context NAME=DIR`) by normalised name. */
  readonly namedContexts?: ReadonlyMap<string, ContextSnapshot>;
  /** The finished filesystem of an earlier stage (waits for it). */
  stageFs(index: number): Promise<FsState>;
  /** The filesystem of an image in the store. */
  imageFs(ref: string): Promise<FsState>;
  /** Read-only views of other stages' and images' filesystems, shared by the build's steps (read-views.ts). */
  readonly readViews?: ReadViews;
  /** The content of the URLs ADD downloads, resolved once per build. */
  readonly urls: UrlContents;
  /** Seconds since the epoch when the build started. */
  readonly now: number;
  readonly secrets: ReadonlyMap<string, SecretSource>;
  /** `--ssh` agents by id, for RUN --mount=type=ssh. */
  readonly ssh?: ReadonlyMap<string, SshSource>;
  /** The `--ssh default` agent for SSH remotes of git sources. */
  readonly gitAgent?: GitAgent;
  readonly runtime: string;
  /** The build grants security.insecure (`--allow`): `RUN --security=insecure` runs privileged. */
  readonly allowInsecure?: boolean;
  /** The sandbox hostname (BUILDKIT_SANDBOX_HOSTNAME, default `buildkitsandbox`). */
  readonly hostname: string;
  readonly signal?: AbortSignal;
  /** A RUN step's container has started (BuildOptions.onContainerStarted). */
  readonly onContainerStarted?: () => void;
}

/** The snapshot a COPY or mount reads: the build context, or the local named context `origin.name`. */
export function contextOf(env: StepEnv, origin: { readonly name?: string }): ContextSnapshot {
  if (origin.name === undefined) return env.context;
  const snapshot = env.namedContexts?.get(origin.name);
  if (snapshot === undefined) throw new Error(`build context ${JSON.stringify(origin.name)} was not loaded`);
  return snapshot;
}
