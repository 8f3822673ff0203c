// Streams a file of the upper dir into a layer. O_NOFOLLOW: the differ saw a regular file there,
// and a symlink swapped in since must not make the layer read a host file.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

const chunkSize = 256 * 1024;

export async function* readNoFollow(file: string): AsyncGenerator<Uint8Array> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
