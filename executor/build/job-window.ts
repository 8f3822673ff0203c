// Jobs run concurrently up to a bound, their first failure kept. Racing the pending jobs alone loses a failure that
// settles in the same turn as a success the race reports first: by the time the waiter looks again, the failed job
// has left the set, and a copy would "succeed" without that file.

export class JobWindow {
  private readonly pending = new Set<Promise<unknown>>();
  private failure: { readonly error: unknown } | undefined;

  /** Adds a job already running; its failure is reported by the next `settle`. */
  add(job: Promise<unknown>): void {
    this.pending.add(job);
    job.then(
      () => this.pending.delete(job),
      (error: unknown) => {
        this.pending.delete(job);
        this.failure ??= { error };
      },
    );
  }

  /** Waits until at most `limit` jobs are running; throws the first failure of any job added, once there is one. */
  async settle(limit: number): Promise<void> {
    while (this.failure === undefined && this.pending.size > limit) {
      // A failure is recorded by the job's own handler (registered first, so run first); the race only wakes us.
      await Promise.race(this.pending).catch(() => {});
    }
    if (this.failure !== undefined) throw this.failure.error;
  }
}
