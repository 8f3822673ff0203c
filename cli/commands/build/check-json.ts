// `--call=check,format=json`: the lint request's result.json as buildx prints it (BuildKit's subrequests/lint
// LintResults through json.MarshalIndent, two spaces). Key order and omitempty are Go's: `warnings` (null when
// there are none: a nil slice), each with `ruleName`, `description`, `url`, `detail` (left out when empty) and a
// pb.Location (`sourceIndex` 0 and `character` 0 left out, one range per line); `sources` (the Dockerfile:
// `filename`, `data` as base64, `language`); `buildError` only when the request stopped at an error.
// BuildKit's source also carries `definition`, the LLB that loaded the Dockerfile in that build's session: tsbuild
// has no LLB and leaves it out.
import { type GoJson, goMarshalIndent } from './go-json.js';

export interface LintJsonWarning {
  readonly rule: string;
  readonly description: string;
  readonly url: string;
  readonly message: string;
  readonly rangeLines: readonly number[];
}

export interface LintJsonError {
  readonly message: string;
  /** The lines of the error's location; empty when it has none (a lint violation, an unknown target). */
  readonly rangeLines: readonly number[];
}

/** A pb.Location of source 0: only its ranges, each a line (`{}` without any). */
function location(lines: readonly number[]): GoJson {
  return {
    ranges: lines.length === 0 ? undefined : lines.map((line) => ({ start: { line }, end: { line } })),
  };
}

const nonEmpty = (value: string): string | undefined => (value === '' ? undefined : value);

/** The lint request's result.json for the Dockerfile `fileName` with the bytes `data`. */
export function lintResultJson(
  warnings: readonly LintJsonWarning[],
  error: LintJsonError | null,
  fileName: string,
  data: Uint8Array,
): string {
  return goMarshalIndent({
    warnings:
      warnings.length === 0
        ? null
        : warnings.map((w) => ({
            ruleName: w.rule,
            description: nonEmpty(w.description),
            url: nonEmpty(w.url),
            detail: nonEmpty(w.message),
            location: location(w.rangeLines),
          })),
    sources: [
      {
        filename: nonEmpty(fileName),
        data: data.length === 0 ? undefined : Buffer.from(data).toString('base64'),
        language: 'Dockerfile',
      },
    ],
    buildError: error === null ? undefined : { message: error.message, location: location(error.rangeLines) },
  });
}
