// The build checks of one `tsbuild build` (BuildKit runs its linter during every build): checked once the plan is
// made, from the remembered result when there is one (check-memo.ts) and through the linter only otherwise; a
// `check=error=true` violation fails the build before any step runs; the warnings are printed after the progress
// display, as buildx prints them (checks.ts). A Dockerfile that configures no checks (no `check=` anywhere in it,
// no BUILDKIT_DOCKERFILE_CHECK) can only get warnings: its checks wait until the main thread waits for a container
// (`runWhileIdle`) or the build ends, instead of holding up the first step (~7 ms of a cold build's start).
import { BuildError, type PlannedBuild } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import { checkInputs, checkMemoFile, rememberChecks, rememberedChecks } from './check-memo.js';
import type { BuildCheck } from './checks.js';

export class BuildCheckReport {
  private found: readonly BuildCheck[] = [];
  private text = '';
  private module: Promise<typeof import('./checks.js')> | undefined;
  /** The checks put off until `runWhileIdle` (or the end), running or done; rejects as `check` would have thrown. */
  private deferred: Promise<void> | undefined;
  private letDeferredRun: () => void = () => {};
  private readonly idle = new Promise<void>((resolve) => {
    this.letDeferredRun = resolve;
  });

  constructor(private readonly buildArgs: Readonly<Record<string, string>>) {}

  /** The main thread is waiting (a container runs) or the build has ended: put-off checks may run now. */
  runWhileIdle(): void {
    this.letDeferredRun();
  }

  private checksModule(): Promise<typeof import('./checks.js')> {
    this.module ??= import('./checks.js');
    return this.module;
  }

  /** The build's `onPlanned`: throws the BuildError that stops the build (a bad `# check=`, `error=true`). */
  async check(store: Store, planned: PlannedBuild): Promise<void> {
    if (/check\s*=/i.test(planned.text) || this.buildArgs.BUILDKIT_DOCKERFILE_CHECK !== undefined) {
      await this.checkNow(store, planned);
      return;
    }
    this.deferred = this.idle.then(() => this.checkNow(store, planned));
    this.deferred.catch(() => {}); // awaited by `warnings`
  }

  private async checkNow(store: Store, planned: PlannedBuild): Promise<void> {
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
    this.runWhileIdle();
    // Put-off checks cannot stop the build (nothing configures them): a failure to run them is shown, not thrown.
    const failed = await this.deferred?.then(
      () => null,
      (error: Error) => error,
    );
    if (failed) return `WARN: the build checks could not run: ${failed.message}\n`;
    if (this.found.length === 0) return '';
    const { warningsBlock } = await this.checksModule();
    return warningsBlock(this.found, debug, fileName, this.text);
  }
}
