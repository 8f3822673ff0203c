// Go's text/template, the subset docker's `--format` and `inspect -f` use, with docker's functions: parse once,
// execute on Go-shaped values (values.ts). Errors carry Go's text; callers add docker's `template parsing error: `.
import { execute } from './exec.js';
import { dockerFunctions, type GoFunc } from './funcs.js';
import type { Node } from './nodes.js';
import { parse } from './parse.js';
import type { Value } from './values.js';

export { TemplateExecError } from './eval.js';
export { dockerFunctions, type GoFunc, headerFunctions } from './funcs.js';
export { TemplateParseError } from './parse.js';
export { GoDuration, GoMap, GoNil, GoStruct, GoTime, nilSlice, RawJson, toJson, type Value } from './values.js';

export interface ExecuteOptions {
  /** The functions to call (docker's HeaderFunctions for a table header); parsing always knows docker's. */
  readonly funcs?: ReadonlyMap<string, GoFunc>;
  /** `missingkey=error`: a missing map key fails instead of printing `<no value>`. */
  readonly missingKeyError?: boolean;
}

export class Template {
  constructor(
    readonly source: string,
    private readonly nodes: readonly Node[],
  ) {}

  /** The text the template writes for `data`; throws TemplateExecError as Go's Execute fails. */
  execute(data: Value, options: ExecuteOptions = {}): string {
    return execute(this.source, this.nodes, data, options.funcs ?? dockerFunctions, options);
  }
}

/** docker's templates.Parse: throws TemplateParseError (`template: :1: function "x" not defined`). */
export function parseTemplate(source: string): Template {
  return new Template(source, parse(source, new Set(dockerFunctions.keys())));
}
