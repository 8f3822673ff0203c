// Removing a step's work directory (snapshots/t<tag>-<pid>-<hex>) once the step is done with it.
import { rm, rmdir } from 'node:fs/promises';
import { cleanMountsUnder, listMountsUnder } from '../snapshot/leftovers.js';

/** Removes a step's dir: with one rmdir when it should be `empty` by now (no mount check, no walk), else carefully. */
export async function removeStepDir(dir: string, empty: boolean): Promise<void> {
  const removed =
    empty &&
    (await rmdir(dir).then(
      () => true,
      () => false,
    ));
  if (!removed) await removeWorkDir(dir);
}

/** Removes a step's work directory, unless a mount below it could not be released (never delete through one). */
export async function removeWorkDir(dir: string): Promise<void> {
  if ((await listMountsUnder(dir)).length > 0) {
    await cleanMountsUnder(dir);
    if ((await listMountsUnder(dir)).length > 0) return;
  }
  await rm(dir, { recursive: true, force: true });
}
