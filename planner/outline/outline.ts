// `--call=outline` (BuildKit's frontend.outline subrequest, dockerfile2llb's Outline): the build arguments a
// target uses (with their values and description comments), the secrets and SSH agents its RUN steps mount, and
// the target's own name and description. As BuildKit, this dispatches the stages the target needs the way a
// build plans them (global ARGs, FROM, ONBUILD triggers of base images, ARG scoping, ENV, RUN mounts), without
// reading the build context and without running anything. Base images come from `deps.images` (their ENV and
// ONBUILD count); one it cannot resolve is planned without a config.

import type { Diagnostic, Dockerfile, Instruction, RunInstruction } from '../../parser/index.js';
import { parseGoBool } from '../../parser/index.js';
import { globalArgs } from '../args.js';
import { expandWord } from '../expand.js';
import { type FromInfo, resolveFrom } from '../from.js';
import { buildGraph, sourceReferences } from '../graph.js';
import type { BaseImageResolver, Platform } from '../image-config.js';
import { hostPlatform } from '../platform.js';
import { inheritState, initialState, type StageState, type StepContext } from '../stage-state.js';
import { findSourceStage, resolveTarget, type StageDef, splitStages, stageLabel } from '../stages.js';
import { planArg } from '../steps/arg.js';
import { planEnv } from '../steps/env.js';
import { parseMount } from '../steps/run-mounts.js';
import { Capture, collectOutline, type OutlineArg, type OutlineLocation, type OutlineMount } from './capture.js';
import { commentsBefore, describe } from './descriptions.js';

export type { OutlineArg, OutlineLocation, OutlineMount } from './capture.js';

export interface Outline {
  /** The target stage's name (lower-cased, as BuildKit keeps it), '' for an unnamed one. */
  readonly name: string;
  readonly description: string;
  readonly args: readonly OutlineArg[];
  readonly secrets: readonly OutlineMount[];
  readonly ssh: readonly OutlineMount[];
}

export interface OutlineOptions {
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly buildPlatform?: Platform;
  readonly targetPlatform?: Platform;
}

export interface OutlineDeps {
  readonly images: BaseImageResolver;
}

const locationOf = (instr: Instruction): OutlineLocation => ({
  startLine: instr.range.start.line,
  endLine: instr.range.end.line,
});

/** The outline of the build of `ast` (parsed from `text`); throws a PlanError where BuildKit's would fail. */
export async function outline(
  text: string,
  ast: Dockerfile,
  options: OutlineOptions,
  deps: OutlineDeps,
): Promise<Outline> {
  const diagnostics: Diagnostic[] = [];
  const comments = commentsBefore(text, ast);
  const { metaArgs, stages } = splitStages(ast, diagnostics);
  const buildPlatform = options.buildPlatform ?? hostPlatform();
  const targetPlatform = options.targetPlatform ?? buildPlatform;
  const buildArgs = options.buildArgs ?? {};
  const globalCapture = new Capture();
  const globals = globalArgs(
    metaArgs,
    buildArgs,
    { build: buildPlatform, target: targetPlatform },
    options.target || stageLabel(stages[stages.length - 1]),
    ast.escapeChar,
    (instr, decl, value, matched) => {
      const name = decl.name.value;
      // `ARG A=$A-x` redefines A: what the old A referenced, the new one does too.
      const deps = matched.includes(name)
        ? [...matched.filter((m) => m !== name), ...(globalCapture.allArgs.get(name)?.deps ?? [])]
        : matched;
      globalCapture.allArgs.set(name, {
        name,
        description: describe(comments(instr), name),
        value: value ?? '',
        deps,
        location: locationOf(instr),
      });
    },
  );
  const declared = new Set(metaArgs.flatMap((a) => a.declarations.map((d) => d.name.value)));
  const froms = stages.map((s) => resolveFrom(stages, s, { values: globals, declared }, ast.escapeChar, diagnostics));
  const target = resolveTarget(stages, options.target);

  // Each stage's capture starts before anything is dispatched: a child copies its parent's as it is then.
  const captures = new Map<number, Capture>();
  for (const stage of stages) {
    const base = froms[stage.index].base;
    const capture = (base.type === 'stage' ? captures.get(base.index) : undefined)?.clone() ?? globalCapture.clone();
    capture.markUsed(fromArgsUsed(stage, globals, ast.escapeChar));
    captures.set(stage.index, capture);
  }

  const platformOf = (index: number): Platform => {
    const from = froms[index];
    if (from.platform !== null) return from.platform;
    return from.base.type === 'stage' ? platformOf(from.base.index) : targetPlatform;
  };
  const graph = await buildGraph(stages, froms, target.index, platformOf, deps.images, diagnostics);
  const states = new Map<number, StageState>();
  const argScope = { buildArgs, globalArgs: globals };
  for (const index of graph.order) {
    const stage = stages[index];
    const from = froms[index];
    const state =
      from.base.type === 'stage'
        ? inheritState(states.get(from.base.index) as StageState)
        : initialState(platformOf(index), graph.images.get(index)?.config ?? {}, '', '');
    const ctx = dispatchContext(state, ast.escapeChar, diagnostics);
    const capture = captures.get(index) as Capture;
    const triggers = graph.triggers.get(index) ?? [];
    for (const instr of [...triggers, ...stage.instructions]) {
      // A trigger has no place in this Dockerfile: BuildKit gives it the FROM's lines (and no description).
      const onbuild = triggers.includes(instr);
      const location = onbuild ? locationOf(stage.from) : locationOf(instr);
      if (instr.kind === 'env') planEnv(ctx, instr);
      if (instr.kind === 'arg') {
        const before = state.args.length;
        // An ARG without a default or a --build-arg takes the global one's value and keeps its description.
        const inherited = instr.declarations.map(
          (d) => d.defaultValue === null && !Object.hasOwn(buildArgs, d.name.value) && globals.has(d.name.value),
        );
        planArg(ctx, instr, argScope);
        instr.declarations.forEach((decl, i) => {
          const name = decl.name.value;
          if (!inherited[i]) {
            const value = state.args[before + i]?.value ?? null;
            const description = onbuild ? '' : describe(comments(instr), name);
            capture.allArgs.set(name, { name, description, value: value ?? '', deps: [], location });
          }
          capture.usedArgs.add(name);
        });
      }
      if (instr.kind === 'run') mountsOf(ctx, instr, capture, location);
    }
    states.set(index, state);
  }

  const outlined = collectOutline(captures, (index) => linksOf(stages, froms, graph.triggers, index), target.index);
  const name = target.name?.toLowerCase() ?? '';
  return { name, description: describe(comments(target.from), name), ...outlined };
}

/** The global args a FROM line's image name and --platform use. */
function fromArgsUsed(stage: StageDef, globals: { get(key: string): string | undefined }, escapeChar: '\\' | '`') {
  const words = [
    stage.from.image?.value ?? '',
    ...stage.from.flags.filter((f) => f.name === 'platform').map((f) => f.value ?? ''),
  ];
  return words.flatMap((word) => expandWord(word, globals, { escapeChar }).matched);
}

/** The secrets and SSH agents a RUN mounts, each id once (its first mount, as BuildKit records it). */
function mountsOf(ctx: StepContext, run: RunInstruction, capture: Capture, location: OutlineLocation): void {
  let sshIndex = 0;
  for (const flag of run.flags) {
    if (flag.name !== 'mount') continue;
    const mount = parseMount(ctx, flag, sshIndex);
    if (mount.type === 'ssh') sshIndex++;
    if (mount.type !== 'secret' && mount.type !== 'ssh') continue;
    const id = mount.options.id ?? '';
    const required = parseGoBool(mount.options.required ?? 'false') === true;
    const found = mount.type === 'secret' ? capture.secrets : capture.ssh;
    if (!found.has(id)) found.set(id, { name: id, required, location });
  }
}

/** The stage a stage is built on, and the stages its instructions (and triggers) copy or mount from. */
function linksOf(
  stages: readonly StageDef[],
  froms: readonly FromInfo[],
  triggers: ReadonlyMap<number, readonly Instruction[]>,
  index: number,
): { base: number | null; sources: number[] } {
  const base = froms[index].base;
  const sources: number[] = [];
  for (const instr of [...(triggers.get(index) ?? []), ...stages[index].instructions]) {
    for (const ref of sourceReferences(instr)) {
      const source = findSourceStage(stages, ref.from, ref.allowIndex, ref.range);
      if (source !== null && !sources.includes(source.index)) sources.push(source.index);
    }
  }
  return { base: base.type === 'stage' ? base.index : null, sources };
}

/** What the ARG, ENV and RUN mount planners read; an outline reads no build context and no other stage. */
function dispatchContext(state: StageState, escapeChar: '\\' | '`', diagnostics: Diagnostic[]): StepContext {
  const unread = async (): Promise<never> => {
    throw new Error('an outline reads no build context');
  };
  return {
    state,
    escapeChar,
    diagnostics,
    epoch: null,
    proxyEnv: [],
    network: 'default',
    run: {},
    context: { checksum: unread },
    source: unread,
  };
}
