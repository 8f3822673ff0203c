// The hash pool hashes the first few files on the main thread (a worker boots in 50-150 ms here, far longer than
// hashing the one changed file of a rebuild), then in workers; both give the same digests and errors.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HashJobResult, HashPool } from '../../cache/context/hash-pool.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsb-hash-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: Buffer): { path: string; content: Buffer } {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return { path: p, content };
}

const expected = (header: string, content: Buffer): string =>
  `sha256:${createHash('sha256').update(header, 'latin1').update(content).digest('hex')}`;

function hash(pool: HashPool, p: string, header: string, size: number): Promise<HashJobResult> {
  return new Promise((resolve, reject) => {
    pool.hash(p, header, size, (err, result) => (err ? reject(err) : resolve(result as HashJobResult)));
  });
}

describe('HashPool', () => {
  it('hashes a few small files on the main thread, with the header first', async () => {
    const pool = new HashPool(1);
    const a = file('a', Buffer.from('alpha\n'));
    const b = file('b', Buffer.alloc(3 << 20, 9)); // larger than the 1 MiB read buffer
    const [ra, rb] = await Promise.all([hash(pool, a.path, 'ha', 6), hash(pool, b.path, 'hb', 3 << 20)]);
    expect(ra).toEqual({ digest: expected('ha', a.content), read: 6 });
    expect(rb).toEqual({ digest: expected('hb', b.content), read: 3 << 20 });
    expect(pool.workerCount).toBe(0);
    await expect(hash(pool, path.join(dir, 'missing'), 'h', 1)).rejects.toThrow(/ENOENT/);
    // A symlink swapped in for the file the walk saw is refused, not followed.
    symlinkSync(a.path, path.join(dir, 'swapped-inline'));
    await expect(hash(pool, path.join(dir, 'swapped-inline'), 'h', 6)).rejects.toThrow(/ELOOP/);
    expect(pool.workerCount).toBe(0);
    pool.close();
  });

  it('moves to worker threads once the inline budget is spent, with the same digests', async () => {
    const pool = new HashPool(1);
    const files = Array.from({ length: 300 }, (_, i) => file(`f${i}`, Buffer.from(`file ${i}\n`)));
    const results = await Promise.all(files.map((f, i) => hash(pool, f.path, `h${i}`, f.content.length)));
    expect(results.map((r) => r.digest)).toEqual(files.map((f, i) => expected(`h${i}`, f.content)));
    expect(pool.workerCount).toBe(1);
    const gone = path.join(dir, 'gone');
    await expect(hash(pool, gone, 'h', 1)).rejects.toThrow(/ENOENT/);
    symlinkSync(files[0].path, path.join(dir, 'swapped-worker'));
    await expect(hash(pool, path.join(dir, 'swapped-worker'), 'h', 7)).rejects.toThrow(/ELOOP/);
    pool.close();
  });
});
