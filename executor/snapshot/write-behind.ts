// Write-behind for a long step on a volatile overlay: while the step's command runs, the data it writes is sent to
// the disk in the background, so that the fdatasyncs which make its upper dir durable afterwards (durable-upper.ts)
// find little left to write. Those fdatasyncs are on the build's critical path and compete with the layer's hashing
// for the CPUs; during the command the disk, and often a CPU, are idle. A RUN writing 500 MB spent ~90 ms less in
// its commit here. Nothing happens for a step shorter than `delayMs` (most of them), nor while the kernel holds
// little dirty data: one syncfs of the upper dir's filesystem at a time, never more often than every `intervalMs`.
import { readFile } from 'node:fs/promises';
import { syncFileSystemOf } from './durable-upper.js';

export interface WriteBehindOptions {
  /** How long the command runs before the first write-behind. */
  readonly delayMs?: number;
  /** The pause between the end of one write-behind and the next check. */
  readonly intervalMs?: number;
  /** Dirty data (bytes, the whole machine's) below which a check syncs nothing. */
  readonly minDirtyBytes?: number;
  /** Seams for tests: the sync of the filesystem holding a dir, and the machine's dirty bytes (undefined: unknown). */
  readonly sync?: (dir: string) => Promise<void>;
  readonly dirtyBytes?: () => Promise<number | undefined>;
  /** Called as each write-behind starts (tracing). */
  readonly onSync?: () => void;
}

const defaults = { delayMs: 500, intervalMs: 200, minDirtyBytes: 16 << 20 };

/**
 * Starts writing back the data of the filesystem holding `upperDir` while a step runs; the returned function stops
 * it (a sync in flight finishes on its own: the step's own syncs overlap it). Failures are ignored: the step's
 * durability syncs report them.
 */
export function writeBehindMeanwhile(upperDir: string, options: WriteBehindOptions = {}): () => void {
  const delayMs = options.delayMs ?? defaults.delayMs;
  const intervalMs = options.intervalMs ?? defaults.intervalMs;
  const minDirty = options.minDirtyBytes ?? defaults.minDirtyBytes;
  const sync = options.sync ?? syncFileSystemOf;
  const dirtyBytes = options.dirtyBytes ?? machineDirtyBytes;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    timer = setTimeout(() => void check(), ms);
    timer.unref(); // never what keeps tsbuild alive
  };
  const check = async () => {
    try {
      const dirty = await dirtyBytes();
      if (!stopped && (dirty === undefined || dirty >= minDirty)) {
        options.onSync?.();
        await sync(upperDir);
      }
    } catch {
      // the step's own syncs report a disk that fails
    }
    if (!stopped) schedule(intervalMs);
  };
  schedule(delayMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** `Dirty:` of /proc/meminfo in bytes; undefined where it cannot be read. */
async function machineDirtyBytes(): Promise<number | undefined> {
  try {
    const match = /^Dirty:\s+(\d+) kB$/m.exec(await readFile('/proc/meminfo', 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}
