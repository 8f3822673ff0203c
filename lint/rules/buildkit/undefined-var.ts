import { type Instruction, type Range, search } from '../../../parser/index.js';
import { isDefined, type Scope, walkStages } from '../../scope.js';
import type { Rule, RuleContext } from '../../types.js';
import { referencesIn } from '../../words.js';
import { buildkitUrl } from '../meta.js';

/** A piece of text BuildKit expands, with where it was read from. */
interface Expandable {
  readonly value: string;
  readonly range: Range;
  /** Offset of `value` inside the text that `range` covers (a mount option's value follows `key=`). */
  readonly shift: number;
  readonly source: string;
}

function plain(value: string, range: Range): Expandable {
  return { value, range, shift: 0, source: value };
}

/** The words the frontend expands itself; shell-form commands are left to the shell. */
function expandables(instruction: Instruction): Expandable[] {
  const out: Expandable[] = [];
  const flag = (name: string): void => {
    for (const f of instruction.flags) {
      if (f.name === name && f.value !== null && f.valueRange) out.push(plain(f.value, f.valueRange));
    }
  };
  switch (instruction.kind) {
    case 'env':
    case 'label':
      for (const pair of instruction.pairs)
        out.push(plain(pair.key.value, pair.key.range), plain(pair.value.value, pair.value.range));
      break;
    case 'copy':
    case 'add':
      flag('chown');
      flag('chmod');
      for (const source of instruction.sources)
        if (!source.value.startsWith('<<')) out.push(plain(source.value, source.range));
      if (instruction.destination) out.push(plain(instruction.destination.value, instruction.destination.range));
      break;
    case 'workdir':
    case 'user':
    case 'stopsignal':
      if (instruction.value) out.push(plain(instruction.value.value, instruction.value.range));
      break;
    case 'volume':
      for (const path of instruction.paths) out.push(plain(path.value, path.range));
      break;
    case 'expose':
      for (const port of instruction.ports) out.push(plain(port.value, port.range));
      break;
    case 'run':
      for (const f of instruction.flags) {
        if (f.name !== 'mount') continue;
        for (const option of f.options) {
          if (option.value === null) continue;
          const source = `${option.key}=${option.value}`;
          out.push({ value: option.value, range: option.range, shift: option.key.length + 1, source });
        }
      }
      break;
    default:
      break;
  }
  return out;
}

function reportUndefined(
  context: RuleContext,
  instruction: Instruction,
  item: Expandable,
  scope: Scope,
  defined: (name: string) => boolean,
): void {
  const { model, report } = context;
  const seen = new Set<string>();
  for (const reference of referencesIn(item.value, model.ast.escapeChar)) {
    if (defined(reference.name) || seen.has(reference.name)) continue;
    seen.add(reference.name);
    const { match } = search(reference.name, [...scope.env.keys()], true);
    const hint = match === null ? '' : ` (did you mean $${match}?)`;
    const at = model.sub(item.range, item.source, item.shift + reference.start, item.shift + reference.end);
    report(at, `Usage of undefined variable '$${reference.name}'${hint}`, instruction);
  }
}

export const undefinedVar: Rule = {
  id: 'UndefinedVar',
  group: 'buildkit',
  description: 'Variables should be defined before their use',
  url: buildkitUrl('UndefinedVar'),
  severity: 'warning',
  check(context) {
    const { model } = context;
    const globals = new Set(model.globalArgs.filter((a) => a.value !== undefined).map((a) => a.name));
    walkStages(model, {
      instruction(instruction, scope) {
        // Most instructions reference no variable at all.
        if (!instruction.original.includes('$')) return;
        if (instruction.kind === 'arg') {
          // Each default sees the ARGs declared before it in the same instruction, and the global ARGs.
          const declared = new Set<string>();
          for (const declaration of instruction.declarations) {
            const value = declaration.defaultValue;
            if (value) {
              const defined = (name: string): boolean =>
                isDefined(scope, name) || declared.has(name) || globals.has(name);
              reportUndefined(context, instruction, plain(value.value, value.range), scope, defined);
            }
            declared.add(declaration.name.value);
          }
          return;
        }
        for (const item of expandables(instruction)) {
          reportUndefined(context, instruction, item, scope, (name) => isDefined(scope, name));
        }
      },
    });
  },
};
