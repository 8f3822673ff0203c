import { type Flag, type FromInstruction, type Range, search } from '../../../parser/index.js';
import type { LintModel } from '../../model.js';
import { PLATFORM_ARGS } from '../../scope.js';
import type { Rule, RuleContext } from '../../types.js';
import { referencesIn } from '../../words.js';
import { buildkitUrl } from '../meta.js';

/** Names a FROM may use: global ARGs, the automatic platform ARGs and the build arguments. */
export function fromArgNames(model: LintModel): string[] {
  const names = new Set<string>();
  for (const arg of model.globalArgs) names.add(arg.name);
  for (const name of PLATFORM_ARGS) names.add(name);
  for (const name of Object.keys(model.options.buildArgs ?? {})) names.add(name);
  return [...names];
}

function checkWord(context: RuleContext, from: FromInstruction, value: string, range: Range, known: string[]): void {
  const { model, report } = context;
  const reported = new Set<string>();
  for (const reference of referencesIn(value, model.ast.escapeChar)) {
    if (known.includes(reference.name) || reported.has(reference.name)) continue;
    reported.add(reference.name);
    const { match } = search(reference.name, known, true);
    const hint = match === null ? '' : ` (did you mean ${match}?)`;
    const at = model.sub(range, value, reference.start, reference.end);
    report(at, `FROM argument '${reference.name}' is not declared${hint}`, from);
  }
}

export function platformFlag(from: FromInstruction): Flag | null {
  return from.flags.find((f) => f.name === 'platform' && f.value !== null) ?? null;
}

export const undefinedArgInFrom: Rule = {
  id: 'UndefinedArgInFrom',
  group: 'buildkit',
  description: 'FROM command must use declared ARGs',
  url: buildkitUrl('UndefinedArgInFrom'),
  severity: 'warning',
  check(context) {
    const known = fromArgNames(context.model);
    for (const { from } of context.model.stages) {
      if (from.image) checkWord(context, from, from.image.value, from.image.range, known);
      const platform = platformFlag(from);
      if (platform?.value && platform.valueRange) {
        checkWord(context, from, platform.value, platform.valueRange, known);
      }
    }
  },
};
