// FROM's arguments as BuildKit's parseBuildStageName judges them: an image alone or `IMAGE AS name`, the name a
// letter first, then letters, digits, `-`, `_` or `.`, compared case-insensitively (BuildKit lower-cases it first).
import type { FromInstruction } from '../ast.js';

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function isValidStageName(name: string): boolean {
  return STAGE_NAME.test(name.toLowerCase());
}

/** FROM has one argument, or three with `AS` (any case) between: else "FROM requires either one or three arguments". */
export function hasFromArguments(from: FromInstruction): boolean {
  const args = from.args;
  return args.length === 1 || (args.length === 3 && args[1].value.toLowerCase() === 'as');
}
