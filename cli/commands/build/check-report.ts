// The build checks of one `tsbuild build` (BuildKit runs its linter during every build): checked once the plan is
// made, from the remembered result when there is one (check-memo.ts) and through the linter only otherwise; a
// `check=error=true` violation fails the build before any step runs; the warnings are printed after the progress
// display, as buildx prints them (checks.ts).
import { BuildError, type PlannedBuild } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import { checkInputs, checkMemoFile, rememberChecks, rememberedChecks } from './check-memo.js';
import type { BuildCheck } from './checks.js';

export class BuildCheckReport {
  private found: readonly BuildCheck[] = [];
  private text = '';
  private module: Promise<typeof import('./checks.js')> | undefined;

  constructor(private readonly buildArgs: Readonly<Record<string, string>>) {}

  private checksModule(): Promise<typeof import('./checks.js')> {
    this.module ??= import('./checks.js');
    return this.module;
  }

  /** The build's `onPlanned`: throws the BuildError that stops the build (a bad `# check=`, `error=true`). */
  async check(store: Store, planned: PlannedBuild): Promise<void> {
    const inputs = await checkInputs(planned, this.buildArgs);
    const memo = checkMemoFile(store, inputs);
    let result = await rememberedChecks(memo);
    if (result === null) {
      result = (await this.checksModule()).checkPlannedBuild(planned.parsed, inputs);
      await rememberChecks(memo, result);
    }
    // Errors without a place in the Dockerfile are shown at its first line, as BuildKit shows them.
    if (result.error !== null) throw new BuildError(result.error, { line: 1 });
    this.found = result.checks;
    this.text = planned.text;
    if (result.violation !== null) throw new BuildError(result.violation, { line: 1 });
  }

  /** buildx's warnings block ('' when nothing was found); `debug` expands each warning. */
  async warnings(debug: boolean, fileName: string): Promise<string> {
    if (this.found.length === 0) return '';
    const { warningsBlock } = await this.checksModule();
    return warningsBlock(this.found, debug, fileName, this.text);
  }
}
