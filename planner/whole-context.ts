// Whether a Dockerfile copies its whole build context (`COPY . /app`, `ADD ./ /src`, no --from). Then the first
// plan of that context hashes every file .dockerignore keeps anyway, and the context walk can hash each file right
// after its stat (snapshotContext's `hashAll`) instead of listing everything first and hashing in a second pass.
// A Dockerfile that copies a few files must not pay for reading the whole context, so anything less certain
// (variables, wildcards, subdirectories, stages) answers false.
import type { Dockerfile } from '../parser/index.js';
import { flag } from './steps/common.js';

export function copiesWholeContext(ast: Dockerfile): boolean {
  return ast.instructions.some(
    (instruction) =>
      (instruction.kind === 'copy' || instruction.kind === 'add') &&
      flag(instruction, 'from') === null &&
      instruction.sources.some((source) => namesContextRoot(source.value)),
  );
}

/** `.`, `./`, `/`, `./.`, `//`: a source that, cleaned, is the context root. */
function namesContextRoot(source: string): boolean {
  return source.length > 0 && source.split('/').every((part) => part === '' || part === '.');
}
