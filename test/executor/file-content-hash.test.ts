// The file hashing of content keys (executor/build/file-content-hash.ts): the same digest whether a file is read
// with blocking calls (up to 1 MiB) or streamed, never through a symlink, and the event loop given its turns.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLoopTurns, fileContentDigest } from '../../executor/build/file-content-hash.js';
import { digestAt } from '../../executor/build/mount-content.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-file-hash-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('fileContentDigest', () => {
  it('hashes exactly the bytes of files on both sides of the blocking-read limit, and says what it read blocking', async () => {
    for (const size of [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4093) bytes[i] = (i / 4093) & 0xff;
      const file = path.join(dir, `f-${size}`);
      await writeFile(file, bytes);
      const { hex, blockingBytes } = await fileContentDigest(file);
      expect(hex).toBe(sha256(bytes));
      expect(blockingBytes).toBe(size <= 1 << 20 ? size : 0);
    }
  });

  it('never reads through a symlink, small or big target', async () => {
    for (const size of [10, 2 << 20]) {
      await writeFile(path.join(dir, `target-${size}`), Buffer.alloc(size, 1));
      await symlink(`target-${size}`, path.join(dir, `link-${size}`));
      await expect(fileContentDigest(path.join(dir, `link-${size}`))).rejects.toThrow(/ELOOP/);
    }
  });
});

describe('eventLoopTurns', () => {
  it('gives the event loop a turn after 256 files or 16 MiB, not before', async () => {
    const turn = eventLoopTurns();
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    for (let i = 0; i < 255; i++) await turn(10);
    expect(ran).toBe(false);
    await turn(10);
    expect(ran).toBe(true);
    ran = false;
    setImmediate(() => {
      ran = true;
    });
    await turn(8 << 20);
    expect(ran).toBe(false);
    await turn(8 << 20);
    expect(ran).toBe(true);
  });
});

describe('a stage mount content digest over many files', () => {
  it('is stable, and sees a change of a streamed file and of a file read blocking', async () => {
    const tree = path.join(dir, 'tree');
    for (let d = 0; d < 7; d++) await mkdir(path.join(tree, `d${d}`), { recursive: true });
    // More files than the event loop waits for (256), one of them streamed (over 1 MiB).
    for (let i = 0; i < 600; i++) {
      const content = i === 300 ? Buffer.alloc(2 << 20, 7) : Buffer.from(`file ${i}\n`);
      await writeFile(path.join(tree, `d${i % 7}/f${i}`), content);
    }
    const whole = await digestAt(dir, 'tree');
    expect(whole).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await digestAt(dir, 'tree')).toBe(whole);
    await writeFile(path.join(tree, 'd6/f300'), Buffer.alloc(2 << 20, 8));
    const bigChanged = await digestAt(dir, 'tree');
    expect(bigChanged).not.toBe(whole);
    await writeFile(path.join(tree, 'd1/f1'), 'file 1!\n');
    expect(await digestAt(dir, 'tree')).not.toBe(bigChanged);
  });
});
