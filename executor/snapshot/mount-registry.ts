// Remembers the mounts this process made, so that an exit or a SIGINT/SIGTERM unmounts them before
// the process dies (a leaked overlay keeps its dirs busy and confuses the next build).
import { execFileSync } from 'node:child_process';

const active = new Set<string>();
let hooked = false;

export function rememberMount(target: string): void {
  active.add(target);
  if (!hooked) hookProcess();
}

export function forgetMount(target: string): void {
  active.delete(target);
}

/** Targets mounted by this process and not unmounted yet, newest first. */
export function activeMounts(): string[] {
  return [...active].reverse();
}

/** Synchronous, because it runs in 'exit' handlers where nothing asynchronous completes. */
export function unmountAllSync(): void {
  for (const target of activeMounts()) {
    try {
      execFileSync('umount', ['-l', target], { stdio: 'ignore' });
    } catch {
      // Already gone, or nothing more can be done while exiting.
    }
    active.delete(target);
  }
}

function hookProcess(): void {
  hooked = true;
  process.on('exit', unmountAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      unmountAllSync();
      process.removeListener(signal, handler);
      // Keep the signal's meaning: if nobody else handles it, die from it as we would have.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}
