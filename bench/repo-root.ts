// The repository root, from a benchmark running as TypeScript source or compiled under dist/bench/.
import { existsSync } from 'node:fs';
import path from 'node:path';

export function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
