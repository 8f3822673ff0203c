// A RUN's layer is committed beside the next steps of its stage (pending-snapshot.ts), so its end (`DONE`, or the
// commit's `ERROR`) comes after those steps started. BuildKit ends a step before the next one starts: a stage's RUNs
// are reported ending in their order, and a step that finished before a failing one is done before that one's error.
import type { PendingSnapshot } from './pending-snapshot.js';
import type { StepProgress } from './progress.js';

/** When each pending RUN's end has been reported (never rejects). */
const reported = new WeakMap<PendingSnapshot, Promise<void>>();

/** Reports the end of the RUN whose layer is `snapshot` once it settles and the RUNs `below` have had theirs. */
export function reportEndInOrder(
  snapshot: PendingSnapshot,
  below: readonly PendingSnapshot[],
  progress: StepProgress,
): void {
  const earlier = endsReported(below);
  reported.set(
    snapshot,
    snapshot.settled.then(
      () => earlier.then(() => progress.done()),
      (error: unknown) => earlier.then(() => progress.error((error as Error).message)),
    ),
  );
}

/** Once the RUNs of `pending` have had their ends reported; `now` starts the commits that still wait. */
export async function endsReported(pending: readonly PendingSnapshot[], now = false): Promise<void> {
  await Promise.all(
    pending.map((snapshot) => {
      if (now) snapshot.startCommit();
      return reported.get(snapshot);
    }),
  );
}

/**
 * Once the RUNs of `pending` have settled and had their ends reported: a step that ran beside their commits
 * (stage-runner.ts) reports its own end after theirs. Whether every one of them was committed (never rejects).
 */
export async function belowSettled(pending: readonly PendingSnapshot[]): Promise<boolean> {
  const commits = await Promise.allSettled(pending.map((snapshot) => snapshot.settle()));
  await endsReported(pending);
  return commits.every((commit) => commit.status === 'fulfilled');
}
