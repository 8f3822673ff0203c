// The process's pool of 1 MiB buffers (image/store/buffer-pool.ts): a buffer given back is the next one taken
// (its pages are already faulted in), nothing but the pool's own size is kept, and warming fills the pool one
// buffer per call up to the target.
import { describe, expect, it } from 'vitest';
import { giveBackBuffer, pooledBufferBytes, takeBuffer, warmPooledBuffer } from '../../image/index.js';

describe('the buffer pool', () => {
  it('hands back the buffer given back last, and keeps only buffers of its size, once each', () => {
    const first = takeBuffer();
    expect(first.length).toBe(pooledBufferBytes);
    giveBackBuffer(first);
    giveBackBuffer(first); // twice: kept once, or two takers would share it
    giveBackBuffer(Buffer.alloc(10));
    expect(takeBuffer()).toBe(first);
    expect(takeBuffer()).not.toBe(first);
  });

  it('is warmed one buffer per call up to the target, and no further', () => {
    const warmed: boolean[] = [];
    for (let i = 0; i < 4; i++) warmed.push(warmPooledBuffer(3));
    expect(warmed).toEqual([true, true, true, false]);
    const taken = [takeBuffer(), takeBuffer(), takeBuffer()];
    expect(new Set(taken).size).toBe(3);
    for (const buffer of taken) expect(buffer.every((byte) => byte === 0)).toBe(true);
    for (const buffer of taken) giveBackBuffer(buffer);
  });
});
