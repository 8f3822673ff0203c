// The mutable state of one stage while its instructions are planned: BuildKit's `dispatchState`.
// `env` is the environment of the build state (image ENV plus ARG values, what RUN sees and what
// expansion uses); `imageEnv` is the image config's Env (ENV only).

import type { Diagnostic, Range } from '../parser/index.js';
import type { ContextSource, GitResolver } from './build-sources.js';
import { EnvList } from './env-list.js';
import type { ImageConfig, Platform } from './image-config.js';
import type { BuildNetwork, BuildRunOptions, PlanStep } from './types.js';

export interface DeclaredArg {
  readonly key: string;
  readonly value: string | null;
}

/** Image config being built, with the list-valued Env kept as an EnvList. */
export type MutableConfig = { -readonly [K in keyof Omit<ImageConfig, 'Env'>]?: ImageConfig[K] } & { Author?: string };

export interface StageState {
  platform: Platform;
  env: EnvList;
  imageEnv: EnvList;
  config: MutableConfig;
  args: DeclaredArg[];
  /** CMD set in this stage (ENTRYPOINT clears an inherited CMD only). */
  cmdSet: boolean;
  fsKey: string;
  /** The filesystem key waits for content read from another stage (see PlanStep.keyPending). */
  fsPending: boolean;
  configDigest: string;
  readonly steps: PlanStep[];
}

/** What a step planner may read besides the stage state. */
export interface StepContext {
  readonly state: StageState;
  readonly escapeChar: '\\' | '`';
  readonly diagnostics: Diagnostic[];
  /** `SOURCE_DATE_EPOCH` in seconds, when set. */
  readonly epoch: number | null;
  /** `--build-arg` proxy values, given to RUN outside the cache key. */
  readonly proxyEnv: readonly string[];
  /** The build's `--network`: a RUN's network unless its own flag names one. */
  readonly network: BuildNetwork;
  /** The build's `--add-host`, `--shm-size` and `--ulimit`, for every RUN. */
  readonly run: BuildRunOptions;
  readonly context: ContextSource;
  /** Resolves the refs of `ADD <git-url>` (absent: such an ADD is refused). */
  readonly git?: GitResolver;
  /** Resolves `--from=` (a stage index allowed) / `from=` (names only) to an earlier stage, a named context or an image. */
  readonly source: (from: string, range: Range, allowIndex: boolean) => Promise<SourceRef>;
}

export type SourceRef =
  | { readonly type: 'stage'; readonly index: number; readonly name: string; readonly fsKey: string }
  | { readonly type: 'image'; readonly ref: string; readonly digest: string | null }
  /** A local named context (`--build-context NAME=DIR`), by its normalised name. */
  | { readonly type: 'context'; readonly name: string; readonly source: ContextSource };

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function initialState(platform: Platform, config: ImageConfig, fsKey: string, configDigest: string): StageState {
  let imageEnv = EnvList.fromStrings(config.Env ?? []);
  // BuildKit makes sure PATH is always set (except on Windows).
  if (!imageEnv.has('PATH') && platform.os !== 'windows') imageEnv = imageEnv.set('PATH', DEFAULT_PATH);
  const { Env: _env, ...rest } = config;
  return {
    platform,
    env: imageEnv,
    imageEnv,
    config: { ...rest, OnBuild: null },
    args: [],
    cmdSet: false,
    fsKey,
    fsPending: false,
    configDigest,
    steps: [],
  };
}

/** A child stage (`FROM parent`) starts from a copy of the parent's final state. */
export function inheritState(parent: StageState): StageState {
  return { ...parent, config: { ...parent.config, OnBuild: null }, args: [...parent.args], cmdSet: false, steps: [] };
}

export function shellOf(state: StageState): readonly string[] {
  const shell = state.config.Shell;
  if (shell && shell.length > 0) return shell;
  return state.platform.os === 'windows' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
}

/** Shell form → `[...shell, text]`, as BuildKit's `withShell`. */
export function withShell(state: StageState, words: readonly string[]): string[] {
  return [...shellOf(state), words.join(' ')];
}

/**
 * The build args a RUN's history names (`RUN |2 A=1 B= …`), as BuildKit's runCommandString: every ARG declared
 * so far, a declared one without a value as `K=`, each with the value the environment now gives it (an ENV of
 * the same name wins), in order of first declaration.
 */
export function argStrings(state: StageState): string[] {
  const out = new Map<string, string>();
  for (const arg of state.args) out.set(arg.key, state.env.get(arg.key) ?? arg.value ?? '');
  return [...out].map(([k, v]) => `${k}=${v}`);
}

export function finalConfig(state: StageState): ImageConfig {
  return { ...state.config, Env: state.imageEnv.toStrings() };
}
