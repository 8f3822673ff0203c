// The build-time state a stage accumulates, instruction by instruction, as BuildKit's dispatcher sees it
// statically: the environment (ENV and ARG values), the declared ARGs, SHELL and WORKDIR. A stage built
// on an earlier stage starts from that stage's final state; a stage on an image starts from the state a
// minimal Linux image gives (only `PATH`), which is what BuildKit's lint tests assume for unknown images.
import type { Instruction } from '../parser/index.js';
import type { LintModel, Stage } from './model.js';
import { expandValue } from './words.js';

/** BuildKit adds this PATH on Linux when the base image has none, even for `scratch`. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Automatic platform ARGs, usable in FROM without a declaration. */
export const PLATFORM_ARGS = [
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDOSVERSION',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETOSVERSION',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
];

/** Values of the automatic platform ARGs for a platform such as `linux/arm64/v8`. */
const platformCache = new Map<string, ReadonlyMap<string, string>>();

export function platformArgValues(platform: string): ReadonlyMap<string, string> {
  const cached = platformCache.get(platform);
  if (cached) return cached;
  const [os = 'linux', arch = 'amd64', variant = ''] = platform.split('/');
  const values = new Map<string, string>();
  for (const prefix of ['BUILD', 'TARGET']) {
    values.set(`${prefix}PLATFORM`, platform);
    values.set(`${prefix}OS`, os);
    values.set(`${prefix}ARCH`, arch);
    values.set(`${prefix}VARIANT`, variant);
  }
  platformCache.set(platform, values);
  return values;
}

/** ARGs that never become environment variables, so they are never "undefined". */
export const NON_ENV_ARGS = new Set(['SOURCE_DATE_EPOCH']);

export interface Scope {
  /** What the shell lexer sees: ENV values and ARG values, in insertion order. */
  readonly env: Map<string, string>;
  /** ARG names declared in this stage or its parent stages (with or without value). */
  readonly declared: Set<string>;
  /** The SHELL in force, or null when no SHELL instruction ran (in this Dockerfile). */
  shell: readonly string[] | null;
  /** Whether a WORKDIR ran in this stage or a parent stage. */
  workdirSet: boolean;
}

function initialScope(parent: Scope | undefined): Scope {
  if (parent) {
    return {
      env: new Map(parent.env),
      declared: new Set(parent.declared),
      shell: parent.shell,
      workdirSet: parent.workdirSet,
    };
  }
  return { env: new Map([['PATH', DEFAULT_PATH]]), declared: new Set(), shell: null, workdirSet: false };
}

export function isDefined(scope: Scope, name: string): boolean {
  return scope.env.has(name) || scope.declared.has(name) || NON_ENV_ARGS.has(name);
}

export interface WalkHooks {
  /** Called before each instruction of each stage (the FROM excluded) with the state before it. */
  instruction?(instruction: Instruction, scope: Scope, stage: Stage): void;
}

function applyArg(model: LintModel, instruction: Instruction, scope: Scope): void {
  if (instruction.kind !== 'arg') return;
  const buildArgs = model.options.buildArgs ?? {};
  const escapeChar = model.ast.escapeChar;
  for (const declaration of instruction.declarations) {
    const name = declaration.name.value;
    let value: string | undefined;
    if (declaration.defaultValue) {
      // BuildKit expands ARG defaults against the stage env merged with the global ARGs.
      const lookup = (n: string): string | undefined => scope.env.get(n) ?? globalValue(model, n);
      value = expandValue(declaration.defaultValue.value, lookup, escapeChar);
    } else {
      value = globalValue(model, name);
    }
    if (Object.hasOwn(buildArgs, name)) value = buildArgs[name];
    scope.declared.add(name);
    if (value !== undefined && !NON_ENV_ARGS.has(name)) scope.env.set(name, value);
  }
}

export function globalValue(model: LintModel, name: string): string | undefined {
  let value: string | undefined;
  for (const arg of model.globalArgs) if (arg.name === name) value = arg.value;
  return value;
}

function apply(model: LintModel, instruction: Instruction, scope: Scope): void {
  const escapeChar = model.ast.escapeChar;
  const lookup = (n: string): string | undefined => scope.env.get(n);
  switch (instruction.kind) {
    case 'env': {
      // Every pair of one ENV is expanded against the environment from before the instruction.
      const assignments = instruction.pairs.map((pair) => [
        expandValue(pair.key.value, lookup, escapeChar),
        expandValue(pair.value.value, lookup, escapeChar),
      ]);
      for (const [key, value] of assignments) scope.env.set(key, value);
      break;
    }
    case 'arg':
      applyArg(model, instruction, scope);
      break;
    case 'shell':
      if (instruction.form === 'exec') scope.shell = instruction.command.map((w) => w.value);
      break;
    case 'workdir':
      scope.workdirSet = true;
      break;
    default:
      break;
  }
}

function clone(scope: Scope): Scope {
  return {
    env: new Map(scope.env),
    declared: new Set(scope.declared),
    shell: scope.shell,
    workdirSet: scope.workdirSet,
  };
}

const CHANGES_SCOPE = new Set(['env', 'arg', 'shell', 'workdir']);

function walk(model: LintModel, hooks: WalkHooks): void {
  const finals = new Map<Stage, Scope>();
  for (const stage of model.stages) {
    let scope = initialScope(stage.parent ? finals.get(stage.parent) : undefined);
    for (const instruction of stage.instructions) {
      hooks.instruction?.(instruction, scope, stage);
      // Copy on write: a scope handed to a hook never changes afterwards, so it can be cached.
      if (CHANGES_SCOPE.has(instruction.kind)) {
        scope = clone(scope);
        apply(model, instruction, scope);
      }
    }
    finals.set(stage, scope);
  }
}

interface Step {
  readonly instruction: Instruction;
  readonly scope: Scope;
  readonly stage: Stage;
}

const stepCache = new WeakMap<LintModel, Step[]>();

/**
 * Walks every stage in order, calling the hook with the state before each instruction. The walk is computed
 * once per model and replayed: several rules walk the same model.
 */
export function walkStages(model: LintModel, hooks: WalkHooks = {}): void {
  let steps = stepCache.get(model);
  if (!steps) {
    const collected: Step[] = [];
    walk(model, { instruction: (instruction, scope, stage) => collected.push({ instruction, scope, stage }) });
    stepCache.set(model, collected);
    steps = collected;
  }
  if (!hooks.instruction) return;
  for (const step of steps) hooks.instruction(step.instruction, step.scope, step.stage);
}
