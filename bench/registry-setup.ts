// Set-up of the registry benchmark: a docker-registry (distribution 2.8) on a free loopback port with its own
// storage, and a large image of incompressible layers written both into a tsbuild store and into a plain OCI
// layout (hard links to the same blobs) that skopeo reads.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import {
  type Descriptor,
  type Digest,
  type ImageManifest,
  OciMediaType,
  Store,
  sha256Digest,
  type TarEntry,
  tarChunks,
} from '../image/index.js';

export interface LocalRegistry {
  readonly host: string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answers(host: string): boolean {
  return spawnSync('curl', ['-sf', '-o', '/dev/null', `http://${host}/v2/`]).status === 0;
}

/** A registry with empty storage under `dir` (removed by stop()). */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const host = `127.0.0.1:${await freePort()}`;
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    'http:',
    `  addr: ${host}`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (answers(host)) return { host, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error(`docker-registry did not start on ${host}`);
}

export interface BigImage {
  /** Tag of the image in the tsbuild store. */
  readonly tag: string;
  /** `oci:DIR:REF` source for skopeo. */
  readonly ociRef: string;
  readonly bytes: number;
}

/** One layer: a tar holding one file of random bytes, gzipped at level 1 (random data does not shrink). */
async function randomLayer(index: number, size: number): Promise<{ tar: Buffer; gz: Buffer }> {
  const content = Buffer.allocUnsafe(size);
  randomFillSync(content);
  const chunks: Buffer[] = [];
  const entry: TarEntry = {
    path: `data/layer-${index}.bin`,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    content,
  };
  for await (const chunk of tarChunks([entry])) chunks.push(chunk);
  const tar = Buffer.concat(chunks);
  return { tar, gz: gzipSync(tar, { level: constants.Z_BEST_SPEED }) };
}

/** Writes `layers` × `layerBytes` of random data as an image into the store at `storeRoot` and an OCI layout. */
export async function makeBigImage(
  storeRoot: string,
  ociDir: string,
  layers: number,
  layerBytes: number,
): Promise<BigImage> {
  const store = await Store.open(storeRoot);
  const descriptors: Descriptor[] = [];
  const diffIds: Digest[] = [];
  for (let i = 0; i < layers; i++) {
    const { tar, gz } = await randomLayer(i, layerBytes);
    const stored = await store.putBlob(gz);
    descriptors.push({ mediaType: OciMediaType.layerGzip, digest: stored.digest, size: stored.size });
    diffIds.push(sha256Digest(tar));
  }
  const config = await store.putConfig({
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: descriptors.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'bench layer' })),
  });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    config,
    layers: descriptors,
  };
  const top = await store.putManifest(manifest);
  const tag = 'bench/big:1';
  await store.tag(tag, top.digest);
  // skopeo's source: an OCI layout of hard links to the very same blob files.
  mkdirSync(path.join(ociDir, 'blobs', 'sha256'), { recursive: true });
  for (const d of [config, top, ...descriptors]) {
    linkSync(store.blobPath(d.digest), path.join(ociDir, 'blobs', 'sha256', d.digest.slice(7)));
  }
  writeFileSync(path.join(ociDir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': 'big' } }],
  };
  writeFileSync(path.join(ociDir, 'index.json'), JSON.stringify(index));
  const bytes = descriptors.reduce((sum, d) => sum + d.size, 0);
  return { tag, ociRef: `oci:${ociDir}:big`, bytes };
}
