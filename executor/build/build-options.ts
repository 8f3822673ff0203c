// What a build is asked to do (BuildOptions) and what it gives back (BuildResult, PlannedBuild for the checks that
// run once the plan is made): the surface of `build` (build.ts) and of the exporters that follow it.
import type { Digest, ImageConfig as OciImageConfig, RegistryClient, Store } from '../../image/index.js';
import type { BuildNetwork, BuildRunOptions, Diagnostic, Plan, Platform, parse } from '../../planner/index.js';
import type { CacheExportScope } from '../cache-transfer/transfer.js';
import type { Entitlement } from './entitlements.js';
import type { GitAgent } from './git-ssh.js';
import type { FsState } from './layer-ref.js';
import type { BuildContextOption } from './named-contexts.js';
import type { Progress } from './progress.js';
import type { PullPolicy } from './pull-base.js';
import type { SshSource } from './ssh-forward.js';
import type { SecretSource } from './step-env.js';

export interface BuildOptions {
  readonly store: Store;
  readonly contextDir: string;
  /** Path of the Dockerfile (default `<context>/Dockerfile`). */
  readonly dockerfile?: string;
  /** The Dockerfile's text, when it does not come from a file (stdin). */
  readonly dockerfileText?: string;
  /** The context dir is a throw-away unpacked tar (stdin): keep no stat cache for it in the store. */
  readonly ephemeralContext?: boolean;
  /** `false`: apply no .dockerignore (a remote context: BuildKit reads none for it). */
  readonly dockerignore?: boolean;
  readonly tags?: readonly string[];
  /**
   * `false`: an untagged image is not kept in the store as a dangling image (a build whose only outputs are files:
   * buildx stores no image for `-o type=local|tar`). Its blobs stay for the build cache.
   */
  readonly keepUntagged?: boolean;
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** `--annotation` values (`[TYPE[PLATFORM]:]KEY=VALUE`; annotations.ts): annotations of the image manifest. */
  readonly annotations?: readonly string[];
  readonly noCache?: boolean;
  /**
   * `--no-cache-filter`: stage names (matched as BuildKit does, ignoring case; `''` is every unnamed stage) whose
   * RUN, COPY and ADD steps run again even when cached, and with them every step built on what they made.
   */
  readonly noCacheFilter?: readonly string[];
  /** Steps running at once (default: number of CPUs). */
  readonly jobs?: number;
  readonly progress: Progress;
  readonly secrets?: ReadonlyMap<string, SecretSource>;
  /** `--ssh` agents by id (an agent socket, or key files), for RUN --mount=type=ssh. */
  readonly ssh?: ReadonlyMap<string, SshSource>;
  /** Hostname of RUN steps (default: the BUILDKIT_SANDBOX_HOSTNAME build arg, else `buildkitsandbox`). */
  readonly hostname?: string;
  /** OCI runtime binary (default `runc`). */
  readonly runtime?: string;
  /** `--allow`: entitlements granted (entitlements.ts); without security.insecure a privileged RUN fails the build. */
  readonly allow?: readonly Entitlement[];
  /** `--network`: the network of RUN steps that name none (default: the host's). */
  readonly network?: BuildNetwork;
  /** `--add-host`, `--shm-size` and `--ulimit`: what every RUN step gets (and its key, as BuildKit keys them). */
  readonly run?: BuildRunOptions;
  /** `--platform`: the platform to build for (default: this machine's). */
  readonly platform?: Platform;
  /**
   * This build is one platform of several (`--platform a,b`): step names carry the stage's platform, as BuildKit's
   * `[linux/arm64 stage 2/3]` (and `linux/amd64->arm64` for a stage of another platform than the target's), and
   * `index:` annotations are left to the image index that holds its image (multi-platform.ts).
   */
  readonly multiPlatform?: boolean;
  /**
   * A later platform of a multi-platform build: the build definition and context load steps, and the cache import,
   * are not shown again.
   */
  readonly hideLoadSteps?: boolean;
  /**
   * A platform of a multi-platform build: its image is reported in the build's one `exporting to image` step, with
   * the index (multi-platform.ts), not in a step of its own.
   */
  readonly hideExportStep?: boolean;
  /**
   * The caller exports the cache (`--cache-to` of a multi-platform build: once, with every platform's records): the
   * result carries what this build's export would have covered (`cacheScope`), and nothing is exported.
   */
  readonly exportCacheLater?: boolean;
  /** `--build-context NAME=VALUE` by normalised name (planner `contextName`). */
  readonly namedContexts?: ReadonlyMap<string, BuildContextOption>;
  /** `--cache-to` values (`type=local,dest=DIR`, `type=registry,ref=…`, `mode=min|max`). */
  readonly cacheTo?: readonly string[];
  /** `--cache-from` values (`type=local,src=DIR`, `type=registry,ref=…`). */
  readonly cacheFrom?: readonly string[];
  /**
   * The exporter option `rewrite-timestamp=true`: layers this build added get no mtime later than
   * SOURCE_DATE_EPOCH and are annotated with it; tags and the result name the rewritten image.
   */
  readonly rewriteTimestamp?: RewriteTimestampOption;
  /** FROM images the store lacks are pulled (`missing`, the default); `always` is `--pull`; `never`: offline. */
  readonly pull?: PullPolicy;
  /** Client for pulling base images (default: one with the Docker config's credentials, made when needed). */
  readonly registryClient?: RegistryClient;
  /** Cancels the build (SIGINT): running steps are killed and cleaned up; the build fails with `build canceled`. */
  readonly signal?: AbortSignal;
  /** Warnings of the parser and planner. */
  readonly onWarning?: (diagnostic: Diagnostic) => void;
  /**
   * Called once the plan is made, before any step runs (the CLI's build checks, which BuildKit runs while it
   * converts the Dockerfile). A BuildError thrown here fails the build.
   */
  readonly onPlanned?: (planned: PlannedBuild) => void | Promise<void>;
  /**
   * Called each time a RUN step's container has started: work the caller put off (the CLI's build checks, when they
   * cannot stop the build) runs while the main thread waits for the container instead of before the first step.
   */
  readonly onContainerStarted?: () => void;
  /** The `--ssh default` agent for SSH git remotes, when the caller has one already (its remote context's). */
  readonly gitAgent?: GitAgent;
}

/** What a build planned, for checks over the Dockerfile that need the build's view of it. */
export interface PlannedBuild {
  readonly text: string;
  readonly parsed: ReturnType<typeof parse>;
  readonly plan: Plan;
  /** Warnings of the planner (BuildKit rule names among their codes). */
  readonly diagnostics: readonly Diagnostic[];
  /** The .dockerignore applied to the context (absolute), or null. */
  readonly ignoreFile: string | null;
}

/** `epoch` overrides SOURCE_DATE_EPOCH for the rewrite (null: none, nothing rewritten). */
export interface RewriteTimestampOption {
  readonly epoch?: number | null;
}

export interface BuildResult {
  /** `sha256:…` of the image config: Docker's image id. */
  readonly imageId: Digest;
  readonly manifestDigest: Digest;
  readonly config: OciImageConfig;
  /** The target stage's filesystem, for exporters. */
  readonly fs: FsState;
  readonly tags: readonly string[];
  /** With `exportCacheLater` and `--cache-to`: the records the export would have covered. */
  readonly cacheScope?: CacheExportScope;
  /** A multi-platform build (multi-platform.ts): each platform's target stage filesystem, in the order built. */
  readonly platforms?: readonly { readonly platform: Platform; readonly fs: FsState }[];
}
