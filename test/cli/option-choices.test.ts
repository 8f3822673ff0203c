// The build's option values come from the one list the parser, the linter and the planner use, without the CLI's
// start-up path (program.ts, the fast path) loading any of them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { networkModes } from '../../cli/option-choices.js';
import { NETWORK_MODES } from '../../parser/index.js';

const root = path.resolve(import.meta.dirname, '../..');

/** The module specifiers FILE imports or re-exports at run time (type-only imports left out). */
function runtimeImports(file: string): string[] {
  const source = readFileSync(path.join(root, file), 'utf8');
  const specifiers = source.matchAll(/^(?:import|export) (?!type )[^;]*? from '([^']+)';/gms);
  return [...specifiers].map((m) => m[1]!);
}

describe('cli/option-choices', () => {
  it('--network takes the modes of RUN --network, from the same list', () => {
    expect(networkModes).toBe(NETWORK_MODES);
    expect(networkModes).toEqual(['default', 'none', 'host']);
  });

  it('loads only an import-free file of the parser', () => {
    expect(runtimeImports('cli/option-choices.ts')).toEqual(['../parser/language/run-modes.js']);
    expect(runtimeImports('parser/language/run-modes.ts')).toEqual([]);
  });
});
