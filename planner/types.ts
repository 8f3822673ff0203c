// The build plan: plain data that the executor runs and `tsbuild plan` prints, and what `plan` takes to make it.
// Every step carries the cache key that decides whether its stored result can be reused. Images and the sources
// a build reads are image-config.ts and build-sources.ts.

import type { DeviceSpec, Diagnostic, NetworkMode, Range } from '../parser/index.js';
import type { BuildRunOptions, ExtraHost, Ulimit } from './build-run-options.js';
import type {
  ContextSource,
  GitCheckout,
  GitResolver,
  NamedContext,
  SelectedFiles,
  SourceEpochResolver,
} from './build-sources.js';
import type { FailedStep } from './errors.js';
import type { BaseImageResolver, ConfigChange, ImageConfig, Platform } from './image-config.js';

export type { BuildRunOptions, ExtraHost, Ulimit };

export interface PlanOptions {
  /** Stage name to build; the last stage when absent. */
  readonly target?: string;
  /** `--build-arg` values, already resolved (`--build-arg K` takes its value from the environment in the CLI). */
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly targetPlatform?: Platform;
  readonly buildPlatform?: Platform;
  /**
   * The build's network (`--network`): what a RUN without `--network`, or with `--network=default`, runs in.
   * Absent or `default`: the host's network, tsbuild's default for RUN.
   */
  readonly network?: BuildNetwork;
  /** `--add-host`, `--shm-size` and `--ulimit`: what every RUN step of the build gets. */
  readonly run?: BuildRunOptions;
}

/** Network modes of RUN and of a whole build: the host's (`default`, `host`) or none. */
export type BuildNetwork = NetworkMode;

export interface PlanDeps {
  readonly context: ContextSource;
  /** By normalised name (named-contexts.ts `contextName`); absent: none. */
  readonly namedContexts?: ReadonlyMap<string, NamedContext>;
  readonly images: BaseImageResolver;
  /** Absent: a SOURCE_DATE_EPOCH naming a stage is checked but gives no epoch (as BuildKit without a client). */
  readonly sourceEpoch?: SourceEpochResolver;
  /** Resolves the refs of `ADD <git-url>`; absent: such an ADD is a plan error. */
  readonly git?: GitResolver;
}

export type StageBase =
  | { readonly type: 'scratch' }
  | { readonly type: 'image'; readonly ref: string; readonly digest: string | null; readonly resolved: boolean }
  | { readonly type: 'stage'; readonly name: string; readonly index: number }
  /** A local named context: the stage's first step copies the directory's content onto scratch. */
  | { readonly type: 'context'; readonly name: string };

/** The build's context, or (`name`) a local named context. */
export interface ContextOrigin {
  readonly type: 'context';
  /** The named context (`--build-context`); absent: the build context. */
  readonly name?: string;
}

export type StepInput =
  | {
      readonly type: 'context';
      /** The named context the files come from; absent: the build context. */
      readonly name?: string;
      readonly source: string;
      readonly digest: string;
      /** Listed by `listPlan` (listed-plan.ts) for whoever prints or records them. */
      readonly files: SelectedFiles;
    }
  | {
      readonly type: 'stage';
      readonly index: number;
      readonly name: string;
      readonly paths: readonly string[];
      readonly key: string;
    }
  | { readonly type: 'image'; readonly ref: string; readonly paths: readonly string[] }
  | { readonly type: 'inline'; readonly name: string; readonly digest: string }
  | { readonly type: 'url'; readonly url: string }
  /** A git repository at the commit its ref resolved to when planned (the key holds the commit, not the ref). */
  | {
      readonly type: 'git';
      /** The remote, credentials redacted. */
      readonly remote: string;
      readonly ref: string;
      readonly commit: string;
      readonly subdir: string;
    };

export interface RunMount {
  readonly type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  readonly target: string;
  readonly readonly: boolean;
  /** `from=` as written. */
  readonly from: string | null;
  /** Where the mount's content comes from once `from=` is resolved (null: cache, tmpfs, secret, ssh). */
  readonly origin: MountOrigin | null;
  readonly source: string | null;
  readonly options: Readonly<Record<string, string>>;
  /**
   * Cache mounts: the cache id as it enters the step's key, or null when the key leaves the id and the
   * sharing mode out (run-mounts.ts, `cacheKeyId`). Other mounts: absent.
   */
  readonly cacheKeyId?: string | null;
}

export type MountOrigin =
  | ContextOrigin
  | { readonly type: 'stage'; readonly index: number }
  | { readonly type: 'image'; readonly ref: string };

/** What the executor needs to perform a step; `null` fields mean "not set". */
export type StepOperation =
  | {
      readonly type: 'run';
      readonly argv: readonly string[];
      /** The full environment of the process, in order (image ENV + in-scope ARGs). */
      readonly env: readonly string[];
      /** Proxy variables from `--build-arg` only: given to the process, kept out of the key. */
      readonly proxyEnv: readonly string[];
      readonly user: string;
      readonly workdir: string;
      readonly network: string;
      readonly security: string;
      /** `--device` CDI devices (none are provided yet: a required one fails the build). */
      readonly devices: readonly DeviceSpec[];
      readonly mounts: readonly RunMount[];
      /** Heredoc scripts with a shebang are written to this file and executed. */
      readonly files: readonly { readonly path: string; readonly content: string; readonly mode: number }[];
      /** The build's `--add-host` entries, `--shm-size` and `--ulimit`s; each only when given. */
      readonly extraHosts?: readonly ExtraHost[];
      readonly shmSize?: number;
      readonly ulimits?: readonly Ulimit[];
    }
  | {
      readonly type: 'copy';
      readonly add: boolean;
      readonly sources: readonly string[];
      readonly dest: string;
      readonly from:
        | ContextOrigin
        | { readonly type: 'stage'; readonly index: number }
        | { readonly type: 'image'; readonly ref: string };
      readonly chown: string | null;
      readonly chmod: string | null;
      readonly link: boolean;
      readonly parents: boolean;
      readonly excludes: readonly string[];
      readonly checksum: string | null;
      readonly keepGitDir: boolean;
      readonly unpack: boolean | null;
      readonly inline: readonly { readonly name: string; readonly content: string }[];
      readonly epoch: number | null;
      /** ADD of git repositories: what to check out for each (their sources are also in `sources`). */
      readonly git?: readonly GitCheckout[];
    }
  | { readonly type: 'mkdir'; readonly path: string; readonly user: string; readonly epoch: number | null }
  | { readonly type: 'config'; readonly change: ConfigChange }
  | { readonly type: 'none' };

export interface PlanStep {
  readonly kind: string;
  /** 1-based Dockerfile line of the instruction (for ONBUILD triggers: the FROM line). */
  readonly line: number;
  readonly range: Range;
  /** The instruction as written (logical line). */
  readonly instruction: string;
  /**
   * RUN, COPY, ADD, WORKDIR: what progress and errors name the step by after its `[i/n] `, as BuildKit does:
   * variables expanded, a heredoc summarised, `ONBUILD ` before a trigger (step-title.ts).
   */
  readonly title?: string;
  readonly onbuild: boolean;
  /** Arguments after variable expansion, as the builder uses them. */
  readonly args: readonly string[];
  /**
   * COPY/ADD: the words BuildKit's history (`created_by`) records after the flags: the sources expanded (quotes
   * removed), `<<NAME` for each heredoc, and the destination expanded as written, not resolved against WORKDIR.
   */
  readonly historyArgs?: readonly string[];
  /** The image environment (ENV) the step sees. */
  readonly env: readonly string[];
  /** The build arguments in scope for the step, with their values. */
  readonly buildArgs: readonly string[];
  readonly inputs: readonly StepInput[];
  readonly operation: StepOperation;
  /** Null only for steps that change neither the filesystem nor the config (ARG). */
  readonly cacheKey: string | null;
  /** Key of the filesystem the step starts from: the previous layer step's, or the base's. */
  readonly parentKey: string;
  /** True when the step produces a layer. */
  readonly layer: boolean;
  /**
   * Set when `cacheKey` is not final: the step (or one it builds on: an earlier step, its base stage)
   * reads another stage, with `RUN --mount=from=` or `COPY --from=`. As BuildKit keys such an input by
   * the content of the mounted path or of the copied files, not by how the stage was built, the planned
   * key leaves the stage out and the executor completes it from that content once the stage's layers are
   * known (content-key.ts).
   */
  readonly keyPending?: true;
}

export interface PlanStage {
  readonly name: string | null;
  readonly index: number;
  readonly base: StageBase;
  readonly platform: Platform;
  readonly line: number;
  readonly steps: readonly PlanStep[];
  /** The image config after the last step. */
  readonly config: ImageConfig;
  /** Key of the stage's filesystem (the last layer step, or the base). */
  readonly fsKey: string;
  /** Key of the finished image: filesystem and config. */
  readonly imageKey: string;
  /** `fsKey` and `imageKey` are completed by the executor (PlanStep.keyPending). */
  readonly keyPending?: true;
}

export interface Plan {
  /** The stages needed for the target, in Dockerfile order; the target is last. */
  readonly stages: readonly PlanStage[];
  /**
   * Whether steps are named by their stage (`[stage-1 2/2]`, `[build 3/5]`): BuildKit's rule (step-labels.ts), which
   * counts every stage of the Dockerfile and every COPY --from / RUN --mount from= naming no stage.
   */
  readonly stageLabels?: boolean;
  readonly target: number;
  /** SOURCE_DATE_EPOCH of the build in seconds (resolved when it names a stage); null: none. */
  readonly epoch?: number | null;
  /**
   * The build's target platform (TARGETPLATFORM), for which an image named by `COPY --from` or a mount's
   * `from` was resolved (absent: this machine's). A stage's own FROM has the stage's `platform`.
   */
  readonly platform?: Platform;
}

export interface PlanResult {
  readonly plan: Plan | null;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * A failure as a build reports it when BuildKit words it differently from the diagnostic: an instruction that
   * does not parse is `dockerfile parse error on line N: …`, located at all of its lines; a missing source fails
   * on its step (`step`: its progress name and ERROR line), as BuildKit reports it while solving.
   */
  readonly failure?: { readonly message: string; readonly range: Range; readonly step?: FailedStep };
}
