// Signals for a container's process, as `docker run` proxies the ones it receives. `runc kill` fails until the
// container exists, so a signal that arrives earlier (while runc creates it) waits: runc writes its --pid-file once
// the container's process runs, and the waiting signals are sent then. One still waiting when the run ends is dropped:
// the container never ran, and the run's own error (or exit) is what the caller reports.
import { existsSync, type FSWatcher, watch } from 'node:fs';
import path from 'node:path';

export interface SignalRelay {
  /** Sends `signal` to the container's process now, or once it runs. */
  relay(signal: NodeJS.Signals): void;
  /** The run is over: nothing waits any more, and later signals are dropped. */
  close(): void;
}

/**
 * A relay for the container whose runtime writes `pidFile` once its process runs; `send` is `runc kill`. `ready`
 * settles once the pid file's directory exists (the bundle is being written).
 */
export function signalRelay(
  pidFile: string,
  ready: Promise<void>,
  send: (signal: NodeJS.Signals) => void,
): SignalRelay {
  let running = false;
  let closed = false;
  let waiting: NodeJS.Signals[] = [];
  let watching = false;
  let watcher: FSWatcher | undefined;
  const stopWatching = () => {
    watcher?.close();
    watcher = undefined;
  };
  const sendWaiting = () => {
    if (closed || running || !existsSync(pidFile)) return;
    running = true;
    stopWatching();
    const signals = waiting;
    waiting = [];
    for (const signal of signals) send(signal);
  };
  return {
    relay(signal) {
      if (closed) return;
      if (running) {
        send(signal);
        return;
      }
      // Looked for once the bundle is written: its pid file of an earlier run is removed by then.
      waiting.push(signal);
      if (watching) return;
      watching = true;
      void ready.then(
        () => {
          if (closed || running) return;
          try {
            // runc writes the pid file as a temp file renamed into place: one event for its name.
            watcher = watch(path.dirname(pidFile), (_event, name) => {
              if (name === path.basename(pidFile)) sendWaiting();
            });
            watcher.on('error', stopWatching);
          } catch {
            return; // the bundle directory went: the run is failing
          }
          sendWaiting(); // written before the watch began
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
