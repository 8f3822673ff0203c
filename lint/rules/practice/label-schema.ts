// hadolint's label schema rules (DL3049 to DL3058) share this: the LABEL pairs of the file with key and value
// as LABEL sets them (quotes removed, variables left as written: hadolint judges the literal text), and the
// shape of the rules that check one schema type's values.
import type { Instruction, KeyValue, LabelInstruction } from '../../../parser/index.js';
import type { LintModel } from '../../model.js';
import type { LabelType, Rule } from '../../types.js';
import { expandValue } from '../../words.js';
import { hadolintUrl } from '../meta.js';

export interface LabelPair {
  readonly key: string;
  readonly value: string;
  readonly pair: KeyValue;
  /** The instruction to report on: the LABEL, or the ONBUILD holding it. */
  readonly instruction: Instruction;
  readonly label: LabelInstruction;
}

/** Quotes and escapes removed, `$NAME` kept as text (as `${NAME}`), which no format but `text` accepts. */
export function literal(model: LintModel, raw: string): string {
  return expandValue(raw, (name) => `\${${name}}`, model.ast.escapeChar);
}

/** The LABEL instructions of the file, ONBUILD triggers included (hadolint checks those as well). */
export function labelInstructions(model: LintModel): { label: LabelInstruction; instruction: Instruction }[] {
  const out: { label: LabelInstruction; instruction: Instruction }[] = [];
  for (const instruction of model.ast.instructions) {
    const inner = instruction.kind === 'onbuild' ? instruction.trigger : instruction;
    if (inner?.kind === 'label') out.push({ label: inner, instruction });
  }
  return out;
}

export function labelPairs(model: LintModel): LabelPair[] {
  return labelInstructions(model).flatMap(({ label, instruction }) =>
    label.pairs.map((pair) => ({
      key: literal(model, pair.key.value),
      value: literal(model, pair.value.value),
      pair,
      instruction,
      label,
    })),
  );
}

/** The labels of the schema with the given type. */
export function schemaLabels(model: LintModel, type?: LabelType): string[] {
  const schema = model.options.labelSchema ?? {};
  return Object.keys(schema).filter((label) => type === undefined || schema[label] === type);
}

/** A rule reporting, at the value, every LABEL pair of a `type` label whose value `valid` rejects. */
export function labelFormatRule(
  id: string,
  type: LabelType,
  message: (label: string) => string,
  valid: (value: string) => boolean,
): Rule {
  return {
    id,
    group: 'practice',
    description: message('<label>'),
    url: hadolintUrl(id),
    severity: 'warning',
    check({ model, report }) {
      const labels = new Set(schemaLabels(model, type));
      if (labels.size === 0) return;
      for (const { key, value, pair, instruction } of labelPairs(model)) {
        if (labels.has(key) && !valid(value)) report(pair.value.range, message(key), instruction);
      }
    },
  };
}
