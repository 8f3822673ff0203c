// SIGINT, SIGTERM and SIGHUP as a cancellation: while a command runs, they abort its work (containers
// killed, mounts released) instead of killing tsbuild on the spot; the command then exits 128 + N.

export const signalNumbers = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

export type Received = keyof typeof signalNumbers;

export interface Interrupt {
  readonly signal: AbortSignal;
  /** The first signal that arrived, if any. */
  received(): Received | undefined;
  /** Stops listening; call when the command is done. */
  release(): void;
}

export function processInterrupt(): Interrupt {
  const controller = new AbortController();
  let by: Received | undefined;
  const handlers = (Object.keys(signalNumbers) as Received[]).map((name) => {
    const handler = () => {
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
  };
}

/** A caller's own signal (tests, embedding): an abort counts as SIGTERM. */
export function givenInterrupt(signal: AbortSignal): Interrupt {
  return { signal, received: () => (signal.aborted ? 'SIGTERM' : undefined), release: () => {} };
}
