// Builds one instruction node from a logical line, choosing the argument rule by keyword as BuildKit's
// dispatch table does. ONBUILD nesting is handled with a loop, so deep `ONBUILD ONBUILD ...` cannot overflow.
import type { Instruction, OnbuildInstruction, Word } from '../ast.js';
import { type SplitLine, splitCommand } from '../split-command.js';
import { goToLower } from '../unicode.js';
import { argDeclarations } from './arg.js';
import { healthcheck, maybeJson } from './command.js';
import { type ArgText, type LineContext, makeFlag, makeWord } from './context.js';
import { blankSeparated, maybeJsonList } from './files.js';
import { nameValues } from './key-value.js';

type Common = Omit<OnbuildInstruction, 'kind' | 'trigger'>;
type Base = Common & { kind: string };

/** Adds the kind-specific fields to the common part in place (object spreads are slow on this hot path). */
function finish<F extends { kind: string }>(base: Base, fields: F): Base & F {
  return Object.assign(base, fields);
}

function common(ctx: LineContext, split: SplitLine, start: number, end: number, args: Word[]): Base {
  const { line, map } = ctx;
  const keyword = makeWord(ctx, line.slice(split.keywordStart, split.keywordEnd), split.keywordStart, split.keywordEnd);
  const rangeEnd = Math.max(end, split.keywordEnd);
  // `kind` first so that JSON output reads naturally; `finish` sets its real value.
  return {
    kind: '',
    keyword,
    // The node starts where its keyword does: share that (readonly) Position rather than build an equal one.
    range: {
      start: keyword.range.start,
      end: rangeEnd <= split.keywordStart ? keyword.range.start : map.position(rangeEnd, true),
    },
    flags: split.flags.map((f) => makeFlag(ctx, f)),
    args,
    argsText: makeWord(ctx, split.rest, split.restStart, split.restStart + split.rest.length),
    original: start === 0 && end === line.length ? line : line.slice(start, end),
    heredocs: [],
    leadingComments: [],
  };
}

/** The instruction in ctx.line[start, end). */
export function buildInstruction(ctx: LineContext, start: number, end: number): Instruction {
  const chain: Base[] = [];
  let s = start;
  let e = end;
  for (;;) {
    const split = splitCommand(ctx.line, s, e);
    const kind = goToLower(ctx.line.slice(split.keywordStart, split.keywordEnd));
    if (kind === 'onbuild' && split.rest !== '') {
      // The trigger's text is `rest`; its node is the single argument of ONBUILD.
      chain.push(common(ctx, split, s, e, []));
      s = split.restStart;
      e = Math.min(split.restStart + split.rest.length, ctx.line.length);
      continue;
    }
    let node = buildLeaf(ctx, split, kind, s, e);
    for (let i = chain.length - 1; i >= 0; i--) node = finish(chain[i], { kind: 'onbuild' as const, trigger: node });
    return node;
  }
}

function buildLeaf(ctx: LineContext, split: SplitLine, kind: string, s: number, e: number): Instruction {
  const at: ArgText = { rest: split.rest, start: split.restStart };
  switch (kind) {
    case 'from': {
      const args = blankSeparated(ctx, at);
      const isAs = args.length >= 2 && args[1].value.toLowerCase() === 'as';
      return finish(common(ctx, split, s, e, args), {
        kind,
        image: args[0] ?? null,
        stageName: isAs ? (args[2] ?? null) : null,
      });
    }
    case 'expose': {
      const args = blankSeparated(ctx, at);
      return finish(common(ctx, split, s, e, args), { kind, ports: args });
    }
    case 'run':
    case 'cmd':
    case 'entrypoint':
    case 'shell': {
      const { form, command } = maybeJson(ctx, at.rest, at.start);
      return finish(common(ctx, split, s, e, command), { kind, form, command });
    }
    case 'healthcheck': {
      const { type, form, command } = healthcheck(ctx, at);
      const args = type === null ? command : [type, ...command];
      return finish(common(ctx, split, s, e, args), { kind, type, form, command });
    }
    case 'add':
    case 'copy': {
      const { form, words } = maybeJsonList(ctx, at);
      const sources = words.slice(0, -1);
      return finish(common(ctx, split, s, e, words), { kind, form, sources, destination: words.at(-1) ?? null });
    }
    case 'volume': {
      const { form, words } = maybeJsonList(ctx, at);
      return finish(common(ctx, split, s, e, words), { kind, form, paths: words });
    }
    case 'env':
    case 'label': {
      const { pairs, args } = nameValues(ctx, at, kind === 'env' ? 'ENV' : 'LABEL');
      return finish(common(ctx, split, s, e, args), { kind, pairs });
    }
    case 'arg': {
      const { declarations, args } = argDeclarations(ctx, at);
      return finish(common(ctx, split, s, e, args), { kind, declarations });
    }
    case 'maintainer':
    case 'user':
    case 'workdir':
    case 'stopsignal': {
      const value = at.rest === '' ? null : makeWord(ctx, at.rest, at.start, at.start + at.rest.length);
      return finish(common(ctx, split, s, e, value === null ? [] : [value]), { kind, value });
    }
    case 'onbuild':
      return finish(common(ctx, split, s, e, []), { kind: 'onbuild' as const, trigger: null });
    default: {
      // BuildKit keeps unknown instructions with one empty argument node (`FOO bar` dumps as `(foo "")`).
      const empty = makeWord(ctx, '', at.start, at.start + at.rest.length);
      return finish(common(ctx, split, s, e, [empty]), { kind: 'unknown' as const });
    }
  }
}
