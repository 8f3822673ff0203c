// Build arguments outside stages: predefined platform args, global ARGs (before the first FROM,
// usable in FROM and re-declarable inside stages), proxy args and SOURCE_DATE_EPOCH.

import type { ArgDeclaration, ArgInstruction } from '../parser/index.js';
import { EnvList } from './env-list.js';
import { PlanError } from './errors.js';
import { expandWord } from './expand.js';
import type { Platform } from './image-config.js';
import { predefinedArgs } from './platform.js';
import { type EpochScope, rawEpoch, resolveEpoch } from './source-epoch.js';

const PROXY_ARGS = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'];

/** Told of each global ARG declaration: its value (null: none) and the names its default referenced and found. */
export type GlobalArgSeen = (
  instr: ArgInstruction,
  decl: ArgDeclaration,
  value: string | null,
  matched: readonly string[],
) => void;

/**
 * Global args as BuildKit's `defaultArgs` + `buildMetaArgs`: the predefined args (overridable by
 * --build-arg), then every ARG before the first FROM with its --build-arg value or expanded default.
 * A --build-arg that no global ARG declares is not visible to FROM.
 */
export function globalArgs(
  metaArgs: readonly ArgInstruction[],
  buildArgs: Readonly<Record<string, string>>,
  platforms: { build: Platform; target: Platform },
  targetStage: string,
  escapeChar: '\\' | '`',
  seen?: GlobalArgSeen,
): EnvList {
  let env = new EnvList();
  for (const [key, value] of predefinedArgs(platforms.build, platforms.target, targetStage)) {
    env = env.set(key, Object.hasOwn(buildArgs, key) ? buildArgs[key] : value);
  }
  for (const instr of metaArgs) {
    for (const decl of instr.declarations) {
      const key = decl.name.value;
      let value: string | null = null;
      let matched: readonly string[] = [];
      if (Object.hasOwn(buildArgs, key)) value = buildArgs[key];
      else if (decl.defaultValue !== null) {
        try {
          // An undefined variable here is no warning: BuildKit's buildMetaArgs reports none (only FROM's use of a
          // global ARG is checked, UndefinedArgInFrom).
          const result = expandWord(decl.defaultValue.value, env, { escapeChar });
          value = result.value;
          matched = result.matched;
        } catch (error) {
          throw new PlanError('expansion-failed', (error as Error).message, decl.range);
        }
      }
      seen?.(instr, decl, value, matched);
      if (value !== null) env = env.set(key, value);
    }
  }
  return env;
}

/** Proxy variables given as --build-arg: passed to RUN but kept out of cache keys. */
export function proxyEnv(buildArgs: Readonly<Record<string, string>>): string[] {
  return Object.keys(buildArgs)
    .sort()
    .filter((k) => PROXY_ARGS.includes(k.toLowerCase()))
    .map((k) => `${k}=${buildArgs[k]}`);
}

/**
 * SOURCE_DATE_EPOCH from --build-arg or a global ARG (a number, `context`, or a source-only stage's
 * name: see source-epoch.ts), in seconds; null when unset or empty. Like BuildKit, the resolved value
 * replaces the raw one wherever it was set, so `ARG SOURCE_DATE_EPOCH` in a stage sees the seconds.
 */
export async function sourceDateEpoch(
  scope: EpochScope,
): Promise<{ epoch: number | null; buildArgs: Readonly<Record<string, string>>; globals: EnvList }> {
  const { buildArgs, globals } = scope;
  const value = rawEpoch(scope);
  if (value === undefined) return { epoch: null, buildArgs, globals };
  const epoch = await resolveEpoch(value, scope);
  const text = epoch === null ? '' : String(epoch);
  if (text === value) return { epoch, buildArgs, globals };
  return {
    epoch,
    buildArgs: Object.hasOwn(buildArgs, 'SOURCE_DATE_EPOCH') ? { ...buildArgs, SOURCE_DATE_EPOCH: text } : buildArgs,
    globals: globals.has('SOURCE_DATE_EPOCH') ? globals.set('SOURCE_DATE_EPOCH', text) : globals,
  };
}
