// The worker threads that hash and stat context files are referenced only while they owe an answer: an idle
// one must never keep the process alive (it kept every build that hashed a changed file running for another
// second, until the pool's idle timer stopped it).
import { promises as fsp } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotContext } from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

/** Referenced worker threads of this process, as Node lists the handles that keep it alive (a referenced worker shows as its MessagePort). */
const referencedWorkers = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;

/**
 * The count once in-flight answers have arrived: a worker that lost the race for the last chunk still
 * answers within milliseconds. 300 ms is far below the pool's 1 s idle timer, which used to be the only
 * thing that let go of an idle worker.
 */
async function settledWorkers(expected: number): Promise<number> {
  for (let waited = 0; waited < 300 && referencedWorkers() !== expected; waited += 10) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return referencedWorkers();
}

describe('context worker threads', () => {
  it('hashing a file in the pool leaves no referenced worker once the digest is known', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { 'a.txt': 'hello\n', 'b/c.txt': 'more\n' });
    const before = referencedWorkers();
    const snapshot = await snapshotContext(root);
    expect(await snapshot.entryDigest('a.txt')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await settledWorkers(before)).toBe(before);
  });

  it('a walk and a bulk hash with the helper thread leave no referenced worker either', async () => {
    const root = await tempDir();
    dirs.push(root);
    const tree: Record<string, string> = {};
    for (let i = 0; i < 300; i++) tree[`d${i % 3}/f${i}`] = `content ${i}\n`;
    await writeTree(root, tree);
    const before = referencedWorkers();
    const snapshot = await snapshotContext(root, { hashAll: true, parallelStatMin: 0 });
    expect(await snapshot.digestAll()).toBe(300);
    expect(await settledWorkers(before)).toBe(before);
  });
});
