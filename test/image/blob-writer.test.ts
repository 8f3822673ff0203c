// The blob write path (image/store/blob-batcher.ts): chunks are copied before the next one is asked for, so a
// producer may reuse its buffer (layer-commit.ts reads big files that way); the bytes stored are exactly the bytes
// given, across many batches and an odd tail, also after a short write; a failed write leaves neither blob nor
// temp file, and a full disk's error names the store's blob dir. Its batch buffers
// come from the process's pool (image/store/buffer-pool.ts) and go back to it: fresh memory costs page faults.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { giveBackBuffer, Store, takeBuffer } from '../../image/index.js';
import { batchBytes } from '../../image/store/blob-batcher.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-blob-writer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

let n = 0;
const freshStore = () => Store.open(path.join(scratch, `store-${n++}`));
const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** FileHandle's prototype (the class is not exported by node:fs/promises). */
async function fileHandlePrototype(): Promise<{ write(...args: unknown[]): Promise<{ bytesWritten: number }> }> {
  const handle = await open(path.join(scratch, 'probe'), 'w');
  await handle.close();
  return Object.getPrototypeOf(handle);
}

/** What the nth FileHandle write (from 1) does instead: 'short' writes 1000 bytes, 'full' fails with ENOSPC. */
async function disk(plan: Record<number, 'short' | 'full'>): Promise<void> {
  const proto = await fileHandlePrototype();
  const write = proto.write;
  let writes = 0;
  vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
    const what = plan[++writes];
    // A filling disk's first write stores only part of the buffer.
    if (what === 'short') return write.apply(this, [args[0], args[1], 1000]);
    if (what === 'full') {
      const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        errno: -28,
        syscall: 'write',
      });
      return Promise.reject(full);
    }
    return write.apply(this, args);
  });
}

describe('the chunks of a blob', () => {
  it('are copied before the next one is asked for: a producer may reuse its buffer', async () => {
    const store = await freshStore();
    const buffer = Buffer.alloc(300 * 1024);
    const parts: Buffer[] = [];
    async function* reusing(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 20; i++) {
        buffer.fill(i + 1);
        parts.push(Buffer.from(buffer));
        yield buffer; // overwritten as soon as the writer asks for the next chunk
      }
    }
    const info = await store.putBlob(reusing());
    const expected = Buffer.concat(parts);
    expect(info).toEqual({ digest: sha256(expected), size: expected.length });
    expect(readFileSync(store.blobPath(info.digest)).equals(expected)).toBe(true);
  });

  it('are batched in the pooled buffers, given back when the blob is written', async () => {
    const store = await freshStore();
    const pooled = [takeBuffer(), takeBuffer()];
    for (const buffer of pooled) {
      buffer.fill(0xee);
      giveBackBuffer(buffer);
    }
    const data = Buffer.alloc(3 * batchBytes + 5, 0x11);
    await store.putBlob(data);
    const after = [takeBuffer(), takeBuffer()];
    // The same two buffers, and the writer's batches went through both of them.
    expect(new Set(after)).toEqual(new Set(pooled));
    for (const buffer of after) expect(buffer[0]).toBe(0x11);
    for (const buffer of after) giveBackBuffer(buffer);
  });

  it('are stored exactly, whatever their sizes against the batch size, with a tail that fills no batch', async () => {
    const store = await freshStore();
    const sizes = [1, 511, batchBytes - 1, batchBytes, batchBytes + 1, 3 * batchBytes + 7, 12345, 0, 2 * batchBytes];
    const parts = sizes.map((size, i) => Buffer.alloc(size, i + 1));
    const info = await store.putBlob(
      (async function* () {
        yield* parts;
      })(),
    );
    const expected = Buffer.concat(parts);
    expect(info).toEqual({ digest: sha256(expected), size: expected.length });
    expect(readFileSync(store.blobPath(info.digest)).equals(expected)).toBe(true);
  });

  it('leave neither blob nor temp file behind when a write fails half way', async () => {
    const store = await freshStore();
    await disk({ 3: 'full' });
    const chunks = (async function* () {
      for (let i = 0; i < 8; i++) yield Buffer.alloc(batchBytes, i);
    })();
    await expect(store.putBlob(chunks)).rejects.toThrow('ENOSPC: no space left on device, write');
    expect(readdirSync(store.paths.blobs)).toEqual([]);
  });

  it('complete a short write: the blob holds every byte', async () => {
    const store = await freshStore();
    await disk({ 2: 'short' });
    const parts = [Buffer.alloc(batchBytes, 1), Buffer.alloc(batchBytes, 2), Buffer.alloc(77, 3)];
    const info = await store.putBlob(Buffer.concat(parts));
    const expected = Buffer.concat(parts);
    expect(info).toEqual({ digest: sha256(expected), size: expected.length });
    expect(readFileSync(store.blobPath(info.digest)).equals(expected)).toBe(true);
  });

  it('report a full disk as ENOSPC in the store’s blob dir, after a short write', async () => {
    const store = await freshStore();
    await disk({ 2: 'short', 3: 'full' });
    const parts = [Buffer.alloc(batchBytes, 1), Buffer.alloc(batchBytes, 2), Buffer.alloc(77, 3)];
    await expect(store.putBlob(Buffer.concat(parts))).rejects.toThrow(
      `ENOSPC: no space left on device, write (writing a blob in ${store.paths.blobs})`,
    );
    expect(readdirSync(store.paths.blobs)).toEqual([]);
  });
});
