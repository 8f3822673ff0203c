// The build cache index's batch writer (used by cache import): records written without a per-file fsync
// carry a checksum line, so a record torn by a crash reads as a miss, never as a wrong hit.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookupImage, lookupStep, recordMany, recordStep } from '../../executor/build/cache-index.js';
import { type Digest, Store, sha256Digest } from '../../image/index.js';

let dir: string;
let store: Store;
const key = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-cache-index-'));
  store = await Store.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function layerBlob(text: string): Promise<{ digest: Digest; size: number }> {
  const info = await store.putBlob(Buffer.from(text));
  return { digest: info.digest, size: info.size };
}

describe('recordMany', () => {
  it('writes step and image records that lookups find, with a checksum line and no temp files left', async () => {
    const blob = await layerBlob('layer one');
    const manifest = await layerBlob('{"manifest":1}');
    const layer = { ...blob, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffId: sha256Digest('x') };
    await recordMany(store, [
      { kind: 'step', key: key(1), record: { layer, created: '2026-01-01T00:00:00Z' } },
      { kind: 'image', key: key(2), record: { manifest: manifest.digest, config: blob.digest } },
    ]);
    expect(await lookupStep(store, key(1))).toEqual({ layer, created: '2026-01-01T00:00:00Z' });
    expect(await lookupImage(store, key(2))).toEqual({ manifest: manifest.digest, config: blob.digest });
    const names = (await readdir(path.join(store.paths.cache, 'build'))).sort();
    expect(names).toEqual([`i-${'2'.repeat(64)}.json`, `s-${'1'.repeat(64)}.json`]);
    const text = await readFile(path.join(store.paths.cache, 'build', `s-${'1'.repeat(64)}.json`), 'utf8');
    const [body, check, rest] = text.split('\n');
    expect(rest).toBe('');
    expect(check).toBe(sha256Digest(body!).slice('sha256:'.length));
  });

  it('writes nothing for an empty batch', async () => {
    await recordMany(store, []);
    await expect(readdir(path.join(store.paths.cache, 'build'))).rejects.toThrow(/ENOENT/);
  });

  it('reads a torn or corrupted record as a miss', async () => {
    const blob = await layerBlob('layer two');
    const layer = { ...blob, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffId: blob.digest };
    await recordMany(store, [{ kind: 'step', key: key(3), record: { layer, created: '2026-01-01T00:00:00Z' } }]);
    const file = path.join(store.paths.cache, 'build', `s-${'3'.repeat(64)}.json`);
    const text = await readFile(file, 'utf8');
    // Cut inside the checksum line: the check fails.
    await writeFile(file, text.slice(0, text.length - 10));
    expect(await lookupStep(store, key(3))).toBeNull();
    // Valid JSON with another size under the old checksum: the check fails.
    const [body, check] = text.split('\n');
    await writeFile(file, `${body!.replace(`"size":${blob.size}`, '"size":1')}\n${check}\n`);
    expect(await lookupStep(store, key(3))).toBeNull();
    // Cut inside the JSON line, and an empty file (what a crash can leave without an fsync).
    await writeFile(file, text.slice(0, 20));
    expect(await lookupStep(store, key(3))).toBeNull();
    await writeFile(file, '');
    expect(await lookupStep(store, key(3))).toBeNull();
    // The complete JSON line alone is the whole record: still a correct hit.
    await writeFile(file, `${body}\n`);
    expect(await lookupStep(store, key(3))).toEqual({ layer, created: '2026-01-01T00:00:00Z' });
  });

  it('writes a step record with its checksum line, so a torn unsynced record reads as a miss', async () => {
    const blob = await layerBlob('layer five');
    const layer = { ...blob, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffId: blob.digest };
    await recordStep(store, key(5), { layer, created: '2026-01-03T00:00:00Z' });
    const file = path.join(store.paths.cache, 'build', `s-${key(5).slice('sha256:'.length)}.json`);
    const [body, check, rest] = (await readFile(file, 'utf8')).split('\n');
    expect(JSON.parse(body!)).toEqual({ layer, created: '2026-01-03T00:00:00Z' });
    expect(check).toBe(createHash('sha256').update(body!).digest('hex'));
    expect(rest).toBe('');
    await writeFile(file, `${body!.replace('2026-01-03', '2026-01-04')}\n${check}\n`);
    expect(await lookupStep(store, key(5))).toBeNull();
  });

  it('still reads records written one at a time (no checksum line)', async () => {
    const blob = await layerBlob('layer three');
    const layer = { ...blob, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffId: blob.digest };
    await recordStep(store, key(4), { layer, created: '2026-01-02T00:00:00Z' });
    expect(await lookupStep(store, key(4))).toEqual({ layer, created: '2026-01-02T00:00:00Z' });
  });
});
