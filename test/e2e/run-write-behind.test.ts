// A RUN that runs long and writes much has its data written to disk while it runs (executor/snapshot/
// write-behind.ts), so that the syncs making its snapshot durable have little left to do; a short RUN never does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { traceInto } from '../trace-capture.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

describe.skipIf(isolationUnavailable() !== undefined)('RUN write-behind', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });

  async function tracedBuild(dockerfile: string): Promise<string[]> {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const events: string[] = [];
    const undo = traceInto(events);
    try {
      const run = await buildIn(store, ctx, { noCache: true });
      expect(run.error).toBeNull();
    } finally {
      undo();
    }
    return events;
  }

  it('syncs while a long RUN that keeps writing still runs, before its diff', async () => {
    // 16 MiB every 0.1 s: whenever a check comes, there is new dirty data, even if another test synced the
    // filesystem a moment before (the suite runs files in parallel).
    const writes = 'i=0; while [ $i -lt 12 ]; do head -c 16777216 /dev/zero > /f$i; i=$((i+1)); sleep 0.1; done';
    const events = await tracedBuild(`FROM busybox\nRUN ${writes}; sleep 0.3\n`);
    const synced = events.indexOf('trace write-behind');
    expect(synced).toBeGreaterThanOrEqual(0);
    expect(synced).toBeLessThan(events.indexOf('trace work.runc'));
  });

  it('leaves a short RUN alone', async () => {
    const events = await tracedBuild('FROM busybox\nRUN head -c 33554432 /dev/zero > /big\n');
    expect(events).toContain('trace work.runc');
    expect(events).not.toContain('trace write-behind');
  });
});
