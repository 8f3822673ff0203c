// What the rules look at besides the AST: stages with their parents, the global ARGs, the comments above
// each instruction, and the source lines.
import type {
  Comment,
  Diagnostic,
  Dockerfile,
  FromInstruction,
  Instruction,
  ParseResult,
  Range,
} from '../parser/index.js';
import { LineIndex, rangeIn } from './ranges.js';
import { platformArgValues } from './scope.js';
import type { LintOptions } from './types.js';
import { expandValue } from './words.js';

export const DEFAULT_PLATFORM = 'linux/amd64';

export interface Stage {
  readonly index: number;
  readonly from: FromInstruction;
  /** Lower-cased stage name, or null. */
  readonly name: string | null;
  /** The instructions after FROM up to the next FROM. */
  readonly instructions: readonly Instruction[];
  /** The earlier stage this one is built on (`FROM <stage>`), or null for an image or `scratch`. */
  readonly parent: Stage | null;
  /** The base name after expanding global ARGs (build arguments first, then defaults). */
  readonly baseName: string;
}

export interface GlobalArg {
  readonly name: string;
  /** Expanded default value; undefined when declared without one. */
  readonly value: string | undefined;
}

export interface LintModel {
  readonly text: string;
  readonly ast: Dockerfile;
  readonly diagnostics: readonly Diagnostic[];
  readonly lines: LineIndex;
  readonly options: LintOptions;
  /** Instructions before the first FROM. */
  readonly preamble: readonly Instruction[];
  /** Global ARGs in declaration order (a later declaration of the same name wins in `globalArgValue`). */
  readonly globalArgs: readonly GlobalArg[];
  readonly stages: readonly Stage[];
  /** Comment lines since the previous instruction (BuildKit's `PrevComment`), directives excluded. */
  commentsBefore(instruction: Instruction): readonly Comment[];
  /** The stage an instruction belongs to, or null for the preamble. */
  stageOf(instruction: Instruction): Stage | null;
  /** The source range of `[from, to)` of a value that was read from `range` (see `rangeIn`). */
  sub(range: Range, value: string, from: number, to: number): Range;
}

function buildGlobalArgs(preamble: readonly Instruction[], options: LintOptions): GlobalArg[] {
  const args: GlobalArg[] = [];
  const values = new Map<string, string>();
  const buildArgs = options.buildArgs ?? {};
  for (const instruction of preamble) {
    if (instruction.kind !== 'arg') continue;
    for (const declaration of instruction.declarations) {
      const name = declaration.name.value;
      let value: string | undefined;
      if (Object.hasOwn(buildArgs, name)) value = buildArgs[name];
      else if (declaration.defaultValue) value = expandValue(declaration.defaultValue.value, (n) => values.get(n));
      args.push({ name, value });
      if (value !== undefined) values.set(name, value);
    }
  }
  return args;
}

function buildStages(
  ast: Dockerfile,
  globalArgs: readonly GlobalArg[],
  platform: string,
): { preamble: Instruction[]; stages: Stage[] } {
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  const argValues = new Map(platformArgValues(platform));
  for (const arg of globalArgs) if (arg.value !== undefined) argValues.set(arg.name, arg.value);
  let current: { from: FromInstruction; instructions: Instruction[] } | null = null;
  const flush = (): void => {
    if (!current) return;
    const from = current.from;
    const baseName = from.image ? expandValue(from.image.value, (n) => argValues.get(n)) : '';
    const lowered = baseName.toLowerCase();
    const parent = stages.find((s) => s.name !== null && s.name === lowered) ?? null;
    stages.push({
      index: stages.length,
      from,
      name: from.stageName ? from.stageName.value.toLowerCase() : null,
      instructions: current.instructions,
      parent,
      baseName,
    });
  };
  for (const instruction of ast.instructions) {
    if (instruction.kind === 'from') {
      flush();
      current = { from: instruction, instructions: [] };
    } else if (current) current.instructions.push(instruction);
    else preamble.push(instruction);
  }
  flush();
  return { preamble, stages };
}

export function buildModel(text: string, parsed: ParseResult, options: LintOptions): LintModel {
  const { ast, diagnostics } = parsed;
  const firstFrom = ast.instructions.findIndex((i) => i.kind === 'from');
  const preambleList = firstFrom < 0 ? ast.instructions : ast.instructions.slice(0, firstFrom);
  const globalArgs = buildGlobalArgs(preambleList, options);
  const { preamble, stages } = buildStages(ast, globalArgs, options.platform ?? DEFAULT_PLATFORM);
  const lines = new LineIndex(text);

  // Both indexes are built on first use: most files need neither (no finding, no description rule).
  let comments: Map<Instruction, Comment[]> | null = null;
  const commentsBefore = (instruction: Instruction): Comment[] => {
    if (comments === null) {
      comments = new Map();
      let c = 0;
      let previousEnd = 0;
      for (const each of ast.instructions) {
        const start = each.range.start.line;
        const list: Comment[] = [];
        while (c < ast.comments.length && ast.comments[c].range.start.line < start) {
          const comment = ast.comments[c++];
          if (comment.range.start.line > previousEnd) list.push(comment);
        }
        comments.set(each, list);
        previousEnd = each.range.end.line;
      }
    }
    return comments.get(instruction) ?? [];
  };
  let stageIndex: Map<Instruction, Stage> | null = null;
  const stageOf = (instruction: Instruction): Stage | null => {
    if (stageIndex === null) {
      stageIndex = new Map();
      for (const stage of stages) {
        stageIndex.set(stage.from, stage);
        for (const each of stage.instructions) stageIndex.set(each, stage);
      }
    }
    return stageIndex.get(instruction) ?? null;
  };

  return {
    text,
    ast,
    diagnostics,
    lines,
    options,
    preamble,
    globalArgs,
    stages,
    commentsBefore,
    stageOf,
    sub: (range, value, from, to) => rangeIn(lines, ast.escapeChar, range, value, from, to),
  };
}
