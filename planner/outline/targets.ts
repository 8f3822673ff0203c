// `--call=targets` (BuildKit's frontend.targets subrequest, dockerfile2llb's ListTargets): every stage of the
// Dockerfile with its name (lower-cased, as BuildKit keeps it), description comment, base and --platform as
// written (nothing is expanded), and which one a build without --target builds (the last).

import type { Diagnostic, Dockerfile } from '../../parser/index.js';
import { splitStages } from '../stages.js';
import type { OutlineLocation } from './capture.js';
import { commentsBefore, describe } from './descriptions.js';

export interface BuildTarget {
  readonly name: string;
  readonly default: boolean;
  readonly description: string;
  readonly base: string;
  readonly platform: string;
  readonly location: OutlineLocation;
}

/** The stages of `ast` (parsed from `text`); throws a PlanError for a Dockerfile BuildKit cannot split. */
export function listTargets(text: string, ast: Dockerfile): BuildTarget[] {
  const diagnostics: Diagnostic[] = [];
  const comments = commentsBefore(text, ast);
  const { stages } = splitStages(ast, diagnostics);
  return stages.map((stage) => {
    const name = stage.name?.toLowerCase() ?? '';
    let platform = '';
    for (const flag of stage.from.flags) if (flag.name === 'platform') platform = flag.value ?? '';
    return {
      name,
      default: stage.index === stages.length - 1,
      description: describe(comments(stage.from), name),
      base: stage.from.image?.value ?? '',
      platform,
      location: { startLine: stage.from.range.start.line, endLine: stage.from.range.end.line },
    };
  });
}
