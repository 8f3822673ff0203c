// The stage graph the target needs: bases, COPY --from / RUN --mount=from sources, and sources
// that ONBUILD triggers add once base images are resolved (BuildKit repeats until nothing new).

import type { Diagnostic, Instruction, Range } from '../parser/index.js';
import { warning } from './errors.js';
import type { FromInfo } from './from.js';
import type { BaseImageResolver, Platform, ResolvedImage } from './image-config.js';
import { parseTriggers } from './onbuild.js';
import { checkCycles, findSourceStage, reachable, type StageDef, type StageEdge } from './stages.js';

export interface StageGraph {
  /** Reachable stage indexes, in Dockerfile order. */
  readonly order: readonly number[];
  /** Resolved base image per stage index (null: not available from the resolver). */
  readonly images: ReadonlyMap<number, ResolvedImage | null>;
  /** ONBUILD trigger instructions to run first in each stage. */
  readonly triggers: ReadonlyMap<number, readonly Instruction[]>;
}

export interface SourceReference {
  readonly from: string;
  readonly allowIndex: boolean;
  readonly range: Range;
}

/** Where an instruction reads from another stage or image. */
export function sourceReferences(instr: Instruction): SourceReference[] {
  const out: SourceReference[] = [];
  if (instr.kind === 'copy') {
    for (const f of instr.flags)
      if (f.name === 'from' && f.value !== null) out.push({ from: f.value, allowIndex: true, range: f.range });
  }
  if (instr.kind === 'run') {
    for (const f of instr.flags) {
      if (f.name !== 'mount') continue;
      const type = f.options.find((o) => o.key.toLowerCase() === 'type')?.value ?? 'bind';
      const from = f.options.find((o) => o.key.toLowerCase() === 'from');
      if (from?.value && type !== 'secret' && type !== 'ssh')
        out.push({ from: from.value, allowIndex: false, range: from.range });
    }
  }
  return out;
}

export async function buildGraph(
  stages: readonly StageDef[],
  froms: readonly FromInfo[],
  target: number,
  platformOf: (index: number) => Platform,
  resolver: BaseImageResolver,
  diagnostics: Diagnostic[],
): Promise<StageGraph> {
  const images = new Map<number, ResolvedImage | null>();
  const triggers = new Map<number, Instruction[]>();
  for (;;) {
    const edges = edgesOf(stages, froms, triggers);
    checkCycles(stages, edges);
    const order = reachable(target, edges);
    await Promise.all(
      order
        .filter((i) => froms[i].base.type === 'image' && !images.has(i))
        .map(async (i) => {
          const base = froms[i].base as { ref: string };
          const image = await resolver.resolve(base.ref, platformOf(i));
          if (image === null) {
            diagnostics.push(
              warning(
                'base-image-unresolved',
                `base image ${JSON.stringify(base.ref)} is not available locally: its config (ENV, WORKDIR, USER, ONBUILD) is not known to the plan`,
                stages[i].from.range,
              ),
            );
          }
          images.set(i, image);
        }),
    );
    let added = false;
    for (const i of order) {
      if (triggers.has(i)) continue;
      const found = triggersOf(stages, froms, images, i);
      triggers.set(i, found);
      if (found.some((t) => sourceReferences(t).length > 0)) added = true;
    }
    if (!added) return { order, images, triggers };
  }
}

function triggersOf(
  stages: readonly StageDef[],
  froms: readonly FromInfo[],
  images: ReadonlyMap<number, ResolvedImage | null>,
  index: number,
): Instruction[] {
  const base = froms[index].base;
  if (froms[index].replaced) return [];
  if (base.type === 'image') return parseTriggers(images.get(index)?.config.OnBuild ?? [], stages[index].from.range);
  if (base.type === 'stage') {
    // A stage's own ONBUILD instructions run in the stages built FROM it (not further down).
    return stages[base.index].instructions.flatMap((i) =>
      i.kind === 'onbuild' && i.trigger !== null ? [i.trigger] : [],
    );
  }
  return [];
}

function edgesOf(
  stages: readonly StageDef[],
  froms: readonly FromInfo[],
  triggers: ReadonlyMap<number, readonly Instruction[]>,
): Map<number, StageEdge[]> {
  const edges = new Map<number, StageEdge[]>();
  for (const stage of stages) {
    const list: StageEdge[] = [];
    const base = froms[stage.index].base;
    if (base.type === 'stage') list.push({ to: base.index, range: stage.from.range });
    // A stage a named context replaces runs none of its instructions.
    const instructions = froms[stage.index].replaced ? [] : stage.instructions;
    for (const instr of [...(triggers.get(stage.index) ?? []), ...instructions]) {
      for (const ref of sourceReferences(instr)) {
        if (ref.from.includes('$')) continue; // rejected with its own message when the step is planned
        const source = findSourceStage(stages, ref.from, ref.allowIndex, ref.range);
        if (source !== null) list.push({ to: source.index, range: ref.range });
      }
    }
    edges.set(stage.index, list);
  }
  return edges;
}
