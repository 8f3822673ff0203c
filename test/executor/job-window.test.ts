import { describe, expect, it } from 'vitest';
import { JobWindow } from '../../executor/build/job-window.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve = () => {};
  let reject = (_error: Error) => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Settles after `turns` microtask turns. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await Promise.resolve();
}

describe('JobWindow', () => {
  it('waits until at most `limit` jobs run', async () => {
    const jobs = new JobWindow();
    const [a, b, c] = [deferred(), deferred(), deferred()];
    for (const d of [a, b, c]) jobs.add(d.promise);
    let settled = false;
    const waiting = jobs.settle(1).then(() => {
      settled = true;
    });
    a.resolve();
    await turns(5);
    expect(settled).toBe(false);
    b.resolve();
    await waiting;
    expect(settled).toBe(true);
    c.resolve();
    await jobs.settle(0);
  });

  it('reports a failure that settles in the same turn as a success the race sees first', async () => {
    const jobs = new JobWindow();
    const [a, b] = [deferred(), deferred()];
    jobs.add(a.promise);
    jobs.add(b.promise);
    const waiting = jobs.settle(1);
    a.resolve();
    b.reject(new Error('EISDIR: b'));
    await expect(waiting).rejects.toThrow('EISDIR: b');
  });

  it('reports a failure at the next settle, also once every job is done', async () => {
    const jobs = new JobWindow();
    const a = deferred();
    jobs.add(a.promise);
    a.reject(new Error('ENOSPC: a'));
    await turns(3);
    await expect(jobs.settle(0)).rejects.toThrow('ENOSPC: a');
    await expect(jobs.settle(5)).rejects.toThrow('ENOSPC: a');
  });
});
