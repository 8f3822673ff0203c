// SIGINT, SIGTERM and SIGHUP as a cancellation: while a command runs, they abort its work (containers
// killed, mounts released) instead of killing tsbuild on the spot; the command then exits 128 + N. `tsbuild run`
// first relays one to the container's process (relayTo), as `docker run` does.

export const signalNumbers = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

export type Received = keyof typeof signalNumbers;

export interface Interrupt {
  readonly signal: AbortSignal;
  /** The first signal that arrived, if any. */
  received(): Received | undefined;
  /** Stops listening; call when the command is done. */
  release(): void;
  /**
   * From now on the first signal goes to `relay` (a container's process, as `docker run` proxies it: a process that
   * handles SIGTERM shuts down as it would) and only a second one aborts (tsbuild has no `kill` to fall back on).
   */
  relayTo(relay: (signal: Received) => void): void;
}

export function processInterrupt(): Interrupt {
  const controller = new AbortController();
  let by: Received | undefined;
  let relay: ((signal: Received) => void) | undefined;
  const handlers = (Object.keys(signalNumbers) as Received[]).map((name) => {
    const handler = () => {
      if (relay !== undefined) {
        const once = relay;
        relay = undefined;
        once(name);
        return;
      }
      by ??= name;
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => by,
    release: () => {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
    },
    relayTo: (to) => {
      relay = to;
    },
  };
}

/** A caller's own signal (tests, embedding): an abort counts as SIGTERM. */
export function givenInterrupt(signal: AbortSignal): Interrupt {
  return { signal, received: () => (signal.aborted ? 'SIGTERM' : undefined), release: () => {}, relayTo: () => {} };
}
