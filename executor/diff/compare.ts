// Byte-for-byte comparison of two files, read in chunks so large files cost no memory.
import { open } from 'node:fs/promises';

const chunkSize = 64 * 1024;

export async function sameContent(a: string, b: string): Promise<boolean> {
  const fa = await open(a, 'r');
  try {
    const fb = await open(b, 'r');
    try {
      const ba = Buffer.alloc(chunkSize);
      const bb = Buffer.alloc(chunkSize);
      for (;;) {
        const [ra, rb] = await Promise.all([fa.read(ba, 0, chunkSize), fb.read(bb, 0, chunkSize)]);
        if (ra.bytesRead !== rb.bytesRead) return false;
        if (ra.bytesRead === 0) return true;
        if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      }
    } finally {
      await fb.close();
    }
  } finally {
    await fa.close();
  }
}
