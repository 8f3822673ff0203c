// What tsbuild does to a container's process from outside (a relayed signal: `runc kill`; a terminal's new size: the
// console resized) needs the process to exist, and runc creates it some 30-50 ms after it starts. Until then the
// actions wait: the runtime writes its --pid-file once the container's process runs, and the waiting actions run
// then, in the order they came, with its pid. One still waiting when the run ends is dropped: the container never
// ran, and the run's own error (or exit) is what the caller reports.
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import path from 'node:path';

export interface StartGate {
  /** Runs `action` with the container process's pid now if it runs, else once it does. */
  whenRunning(action: (pid: number) => void): void;
  /** The run is over: nothing waits any more, and later actions are dropped. */
  close(): void;
}

/**
 * The gate of the container whose runtime writes `pidFile` once its process runs. `ready` settles once the pid
 * file's directory exists and a pid file of an earlier run in it is gone (the bundle is written).
 */
export function startGate(pidFile: string, ready: Promise<void>): StartGate {
  let pid: number | undefined;
  let closed = false;
  let waiting: ((pid: number) => void)[] = [];
  let watching = false;
  let watcher: FSWatcher | undefined;
  const stopWatching = () => {
    watcher?.close();
    watcher = undefined;
  };
  const runWaiting = () => {
    if (closed || pid !== undefined) return;
    const written = writtenPid(pidFile);
    if (written === undefined) return;
    pid = written;
    stopWatching();
    const actions = waiting;
    waiting = [];
    for (const action of actions) action(written);
  };
  return {
    whenRunning(action) {
      if (closed) return;
      if (pid !== undefined) {
        action(pid);
        return;
      }
      waiting.push(action);
      if (watching) return;
      watching = true;
      void ready.then(
        () => {
          if (closed || pid !== undefined) return;
          try {
            // runc writes the pid file as a temp file renamed into place: one event for its name.
            watcher = watch(path.dirname(pidFile), (_event, name) => {
              if (name === path.basename(pidFile)) runWaiting();
            });
            watcher.on('error', stopWatching);
          } catch {
            return; // the bundle directory went: the run is failing
          }
          runWaiting(); // written before the watch began
        },
        () => {}, // no bundle, no container: the run fails with that error
      );
    },
    close() {
      closed = true;
      waiting = [];
      stopWatching();
    },
  };
}

/** The pid in a runtime's --pid-file; undefined while there is none (or not all of it yet). */
function writtenPid(pidFile: string): number | undefined {
  try {
    const text = readFileSync(pidFile, 'utf8').trim();
    return /^[1-9]\d*$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}
