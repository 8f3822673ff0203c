// A signal `tsbuild run` relays to its container before the container exists (runc is still creating it): it waits
// and is sent once the container's process runs, as docker delivers it, instead of being lost to a `runc kill` of a
// container that is not there yet. A run whose container never starts ends with its own error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs, isolationUnavailable, removeScratch, runStep, scratchDir } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('a signal relayed before the container exists', () => {
  let dir: string;
  let rootfs: string;
  beforeAll(async () => {
    dir = await scratchDir();
    rootfs = await busyboxRootfs();
  });
  afterAll(async () => {
    await removeScratch(dir);
  });

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} is sent once the container's process runs: it ends with 128 + the signal's number`, async () => {
      const result = await runStep(dir, [rootfs], {
        args: ['sleep', '10'],
        hostPid: true,
        onRelay: (relay) => relay(signal),
      });
      expect(result.exitCode).toBe(code);
      expect(result.stderr).toBe('');
    });
  }

  it('a signal for a container that never starts is dropped: the run reports why it did not start', async () => {
    let relay: ((signal: NodeJS.Signals) => void) | undefined;
    await expect(
      runStep(dir, [rootfs], {
        args: ['/no/such/program'],
        onRelay: (given) => {
          relay = given;
          given('SIGTERM');
        },
      }),
    ).rejects.toThrow(/no such file or directory/);
    relay?.('SIGTERM'); // after the run: nothing to signal, nothing thrown
  });
});
