// The cache records of a stage's steps, written in the background: a record names the step's layer blob, which
// becomes durable after the step (a COPY's or WORKDIR's: direct-step.ts) or after its snapshot is published (a RUN's:
// fs-step.ts), in the background (image/store/blob-commits.ts), so the record waits for it while the next steps run.
// The build waits for them all before it reports its image (`written`); a blob that could not be stored fails the
// build as an error of the step that made it.
import type { Store } from '../../image/index.js';
import { recordStep } from './cache-index.js';
import type { LayerRef } from './layer-ref.js';

export class StepRecords {
  private readonly records: { readonly written: Promise<void>; readonly fail: (error: unknown) => Error }[] = [];

  /** `written`: the step's record; `fail` turns its error into the step's (with its line, as any step error). */
  add(written: Promise<void>, fail: (error: unknown) => Error): void {
    written.catch(() => {}); // reported by `written()`, never as an unhandled rejection meanwhile
    this.records.push({ written, fail });
  }

  /** What records a step's layer under `key` (nothing when it has none); `fail`: as for `add`. */
  recorder(
    store: Store,
    key: string | null,
    description: string,
    fail: (error: unknown) => Error,
  ): (layer: LayerRef, created: string) => void {
    return (layer, created) => {
      if (key !== null) this.add(recordStep(store, key, { layer, created, description }), fail);
    };
  }

  /** Resolves once every record is written; rejects with the failure of the first step recorded that failed. */
  async written(): Promise<void> {
    const outcomes = await Promise.allSettled(this.records.map((r) => r.written));
    const failed = outcomes.findIndex((outcome) => outcome.status === 'rejected');
    if (failed >= 0) throw this.records[failed].fail((outcomes[failed] as PromiseRejectedResult).reason);
  }
}

/** The records of several stages (a build's), awaited together; the first failure in stage order is reported. */
export async function allRecordsWritten(stages: Iterable<{ readonly records?: StepRecords }>): Promise<void> {
  const pending = [...stages].map((stage) => stage.records?.written() ?? Promise.resolve());
  const outcomes = await Promise.allSettled(pending);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
}
