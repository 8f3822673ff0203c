// The worker threads of the context walk and of the hash pool run hash-file.ts's functions from their text
// (`hashFileSource`). In the CLI's bundle (dist/bin) that text is minified, and the functions call each other by
// their short names: the worker must hash exactly as the calling thread does in both forms. (Before the fix, the
// bundled CLI failed every COPY whose hashing reached the pool: `cannot read "big.bin" …: We is not defined`.)
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { hashFile, hashFileSource, mainHashFileIo } from '../../cache/context/hash-file.js';
import { tempDirsPerTest } from './helpers.js';

const hashFileModule = path.resolve(import.meta.dirname, '../../cache/context/hash-file.ts');

/** `hashFileSource` as the minified bundle computes it. */
async function minifiedSource(): Promise<string> {
  const out = await build({
    entryPoints: [hashFileModule],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  const code = out.outputFiles[0].text;
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as {
    hashFileSource: string;
  };
  return module.hashFileSource;
}

interface Hashed {
  readonly hex: string;
  readonly read: number;
}

/** `hashFile(io, file, header, size)` run in a worker from `source`. */
async function hashInWorker(source: string, file: string, header: string, size: number): Promise<Hashed> {
  const worker = new Worker(
    `${source}
const { parentPort, workerData } = require('node:worker_threads');
const { file, header, size } = workerData;
parentPort.postMessage(hashFile(hashFileIo, file, header, size, Buffer.allocUnsafe(1 << 20)));`,
    { eval: true, workerData: { file, header, size } },
  );
  try {
    return await new Promise<Hashed>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

describe('hashFileSource in a worker', () => {
  const tempDir = tempDirsPerTest();

  it('is minified by the bundle: the functions call each other by other names than ours', async () => {
    const source = await minifiedSource();
    expect(source).not.toContain('function hashFileAt(');
    expect(source).not.toContain('hashOpenFile(io');
  });

  for (const [form, source] of [
    ['as compiled', async () => hashFileSource],
    ['minified, as in the bundle', minifiedSource],
  ] as const) {
    it(`hashes as the calling thread does (${form}): a file within the read buffer and one beyond it`, async () => {
      const dir = await tempDir();
      const text = await source();
      for (const size of [1000, (1 << 20) + 4321]) {
        const file = path.join(dir, `f${size}`);
        await writeFile(file, randomBytes(size));
        const header = `namemode420uid0gid0size${size}typeflag0`;
        const here = hashFile(mainHashFileIo, file, header, size, Buffer.allocUnsafe(1 << 20));
        expect(await hashInWorker(text, file, header, size)).toEqual({ hex: here.hex, read: size });
      }
    });
  }
});
