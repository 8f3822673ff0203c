import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compressedImage,
  type ImageManifest,
  importRootfs,
  layerTarBytes,
  loadArchive,
  readTar,
  Store,
  saveDockerArchive,
  saveOciArchive,
  sha256Digest,
  type TarEntry,
} from '../../image/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tsbuild-archive-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function has(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skopeo = has('skopeo');
/** A reachable Docker daemon (none on the project machines by default: the test then skips). */
const dockerDaemon = (() => {
  if (!has('docker')) return false;
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
})();
const umoci = has('umoci');
const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const meta = { uid: 0, gid: 0, mtime: 1_700_000_000 };
const rootfsEntries: TarEntry[] = [
  { ...meta, path: 'bin', type: 'directory', mode: 0o755 },
  { ...meta, path: 'bin/hello', type: 'file', mode: 0o755, content: Buffer.from('#!/bin/sh\necho hello\n') },
  { ...meta, path: 'bin/hi', type: 'symlink', mode: 0o777, linkname: 'hello' },
  { ...meta, path: 'etc', type: 'directory', mode: 0o755 },
  { ...meta, path: 'etc/motd', type: 'file', mode: 0o644, content: Buffer.from('welcome\n') },
];
let rootfsTar: Buffer;
let store: Store;
let storeRoot: string;
beforeAll(async () => {
  rootfsTar = await layerTarBytes(rootfsEntries);
  storeRoot = path.join(scratch, 'store');
  store = await Store.open(storeRoot);
});

async function listTar(file: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of readTar([readFileSync(file)])) names.push(entry.header.path);
  return names;
}

describe('importRootfs (docker import)', () => {
  it('makes a one-layer image with an empty config and one history entry', async () => {
    const created = '2024-05-01T10:00:00Z';
    const imported = await importRootfs(store, gzipSync(rootfsTar), 'imported:1', { architecture: 'amd64', created });
    expect(imported.diffId).toBe(sha256Digest(rootfsTar));
    const image = await store.resolve('imported:1');
    expect(image.config).toEqual({
      architecture: 'amd64',
      os: 'linux',
      created,
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256Digest(rootfsTar)] },
      history: [{ created, comment: 'Imported from -' }],
    });
    // Kept uncompressed, as built layers are: the layer's digest is its diff_id.
    expect(imported.layerDigest).toBe(imported.diffId);
    expect(image.manifest.layers).toEqual([
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: imported.layerDigest,
        size: rootfsTar.length,
      },
    ]);
    // The same tarball plain, as a stream, or from a file gives the same layer.
    const file = path.join(scratch, 'rootfs.tar');
    writeFileSync(file, rootfsTar);
    const again = await importRootfs(store, file, undefined, { architecture: 'amd64', created });
    expect(again).toEqual(imported);
  });

  it.skipIf(!skopeo)('is readable by skopeo from the store (oci:<store>:<full name>)', () => {
    const inspect = JSON.parse(sh('skopeo', ['inspect', `oci:${storeRoot}:docker.io/library/imported:1`]));
    expect(inspect.Layers).toHaveLength(1);
    expect(inspect.Architecture).toBe('amd64');
    const config = JSON.parse(sh('skopeo', ['inspect', '--config', `oci:${storeRoot}:docker.io/library/imported:1`]));
    expect(config.rootfs.diff_ids).toEqual([sha256Digest(rootfsTar)]);
  });

  it.skipIf(!umoci)('is unpacked by umoci from the store', () => {
    const bundle = path.join(scratch, 'bundle');
    sh('umoci', ['unpack', '--image', `${storeRoot}:docker.io/library/imported:1`, bundle]);
    expect(readFileSync(path.join(bundle, 'rootfs/bin/hello'), 'utf8')).toBe('#!/bin/sh\necho hello\n');
    expect(readFileSync(path.join(bundle, 'rootfs/etc/motd'), 'utf8')).toBe('welcome\n');
  });
});

describe('saveDockerArchive / loadArchive', () => {
  it('writes manifest.json, config, layer.tar dirs and repositories', async () => {
    const file = path.join(scratch, 'docker.tar');
    await saveDockerArchive(store, ['imported:1'], file);
    const image = await store.resolve('imported:1');
    const hex = image.configDigest.slice(7);
    const v1 = sha256Digest(`\n${sha256Digest(rootfsTar)}`).slice(7);
    expect(await listTar(file)).toEqual([
      v1,
      `${v1}/VERSION`,
      `${v1}/json`,
      `${v1}/layer.tar`,
      `${hex}.json`,
      'manifest.json',
      'repositories',
    ]);
    const out = path.join(scratch, 'docker-x');
    mkdirSync(out);
    sh('tar', ['-xf', file, '-C', out]);
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'))).toEqual([
      { Config: `${hex}.json`, RepoTags: ['imported:1'], Layers: [`${v1}/layer.tar`] },
    ]);
    expect(JSON.parse(readFileSync(path.join(out, 'repositories'), 'utf8'))).toEqual({ imported: { '1': v1 } });
    expect(readFileSync(path.join(out, v1, 'layer.tar')).equals(rootfsTar)).toBe(true);
    expect(sha256Digest(readFileSync(path.join(out, `${hex}.json`)))).toBe(image.configDigest);
  });

  it('loads its own docker-archive back with the same image ID and tags', async () => {
    const other = await Store.open(path.join(scratch, 'store-docker-load'));
    const loaded = await loadArchive(other, path.join(scratch, 'docker.tar'));
    expect(loaded.map((l) => l.refs)).toEqual([['docker.io/library/imported:1']]);
    const image = await other.resolve('imported:1');
    expect(image.configDigest).toBe((await store.resolve('imported:1')).configDigest);
    expect(image.manifest.layers[0]).toMatchObject({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: sha256Digest(rootfsTar),
    });
  });

  it.skipIf(!skopeo)('is read by skopeo docker-archive:, and skopeo archives load back', async () => {
    const file = path.join(scratch, 'docker.tar');
    // Selecting the image by its RepoTag proves skopeo read manifest.json.
    const inspect = JSON.parse(sh('skopeo', ['inspect', `docker-archive:${file}:imported:1`]));
    expect([inspect.Architecture, inspect.Os, inspect.Layers.length]).toEqual(['amd64', 'linux', 1]);
    const config = JSON.parse(
      sh('skopeo', ['inspect', '--config', `docker-archive:${file}:docker.io/library/imported:1`]),
    );
    expect(config.rootfs.diff_ids).toEqual([sha256Digest(rootfsTar)]);

    const skopeoArchive = path.join(scratch, 'skopeo-docker.tar');
    sh('skopeo', [
      'copy',
      `oci:${storeRoot}:docker.io/library/imported:1`,
      `docker-archive:${skopeoArchive}:example.com/team/app:v2`,
    ]);
    const other = await Store.open(path.join(scratch, 'store-skopeo-load'));
    const loaded = await loadArchive(other, skopeoArchive);
    expect(loaded.map((l) => l.refs)).toEqual([['example.com/team/app:v2']]);
    expect((await other.resolve('example.com/team/app:v2')).config.rootfs.diff_ids).toEqual([sha256Digest(rootfsTar)]);
  });

  it.skipIf(!dockerDaemon)('is accepted by docker load (needs a running Docker daemon)', async () => {
    const file = path.join(scratch, 'docker.tar');
    expect(sh('docker', ['load', '-i', file])).toContain('Loaded image: imported:1');
    const id = sh('docker', ['image', 'inspect', '--format', '{{.Id}}', 'imported:1']).trim();
    expect(id).toBe((await store.resolve('imported:1')).configDigest);
    sh('docker', ['image', 'rm', 'imported:1']);
  });

  it('rejects a docker-archive whose layer does not match its diff_id', async () => {
    const out = path.join(scratch, 'tamper');
    mkdirSync(out);
    sh('tar', ['-xf', path.join(scratch, 'docker.tar'), '-C', out]);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const layer = path.join(out, manifest[0].Layers[0]);
    const bytes = readFileSync(layer);
    bytes[600] = bytes[600]! ^ 1;
    writeFileSync(layer, bytes);
    const tampered = path.join(scratch, 'tampered.tar');
    sh('tar', ['-cf', tampered, '-C', out, '.']);
    const other = await Store.open(path.join(scratch, 'store-tamper'));
    await expect(loadArchive(other, tampered)).rejects.toThrow(
      `layer ${manifest[0].Layers[0]} does not match its diff_id: expected ${sha256Digest(rootfsTar)}, got ${sha256Digest(bytes)}`,
    );
    expect(await other.listImages()).toEqual([]);
  });

  it('refuses things that are not archives', async () => {
    const other = await Store.open(path.join(scratch, 'store-junk'));
    await expect(loadArchive(other, await layerTarBytes(rootfsEntries))).rejects.toThrow(
      'not a docker-archive or OCI archive: no manifest.json or oci-layout + index.json',
    );
  });
});

describe('saveOciArchive / loadArchive', () => {
  it('writes an OCI layout tar that loads back', async () => {
    const file = path.join(scratch, 'oci.tar');
    await saveOciArchive(store, ['imported:1'], file);
    const image = await store.resolve('imported:1');
    // The archive holds the image with its layer compressed (gzip), as it leaves the machine.
    const archived = await compressedImage(store, image.manifestDigest);
    const archivedManifest = await store.readJson<ImageManifest>(archived.digest);
    const names = await listTar(file);
    expect(names.slice(0, 3)).toEqual(['oci-layout', 'blobs', 'blobs/sha256']);
    expect(names.slice(-2)).toEqual(['index.json', 'manifest.json']);
    expect(names.filter((n) => n.startsWith('blobs/sha256/')).sort()).toEqual(
      [image.configDigest, archivedManifest.layers[0]!.digest, archived.digest]
        .map((d) => `blobs/sha256/${d.slice(7)}`)
        .sort(),
    );
    const other = await Store.open(path.join(scratch, 'store-oci-load'));
    expect(await loadArchive(other, file)).toEqual([
      { manifestDigest: archived.digest, refs: ['docker.io/library/imported:1'] },
    ]);
    expect((await other.resolve('imported:1')).configDigest).toBe(image.configDigest);
  });

  it.skipIf(!skopeo || !umoci)('is read by skopeo oci-archive: and umoci; skopeo OCI archives load back', async () => {
    const file = path.join(scratch, 'oci.tar');
    expect(JSON.parse(sh('skopeo', ['inspect', `oci-archive:${file}:1`])).Layers).toHaveLength(1);
    const layout = path.join(scratch, 'oci-x');
    mkdirSync(layout);
    sh('tar', ['-xf', file, '-C', layout]);
    const bundle = path.join(scratch, 'bundle-oci');
    sh('umoci', ['unpack', '--image', `${layout}:1`, bundle]);
    expect(readFileSync(path.join(bundle, 'rootfs/etc/motd'), 'utf8')).toBe('welcome\n');

    const skopeoArchive = path.join(scratch, 'skopeo-oci.tar');
    sh('skopeo', ['copy', `oci:${storeRoot}:docker.io/library/imported:1`, `oci-archive:${skopeoArchive}:v9`]);
    const other = await Store.open(path.join(scratch, 'store-skopeo-oci'));
    const loaded = await loadArchive(other, skopeoArchive, { name: 'myapp' });
    expect(loaded[0]!.refs).toEqual(['docker.io/library/myapp:v9']);
    expect((await other.resolve('myapp:v9')).config.rootfs.diff_ids).toEqual([sha256Digest(rootfsTar)]);
  });

  it('rejects an OCI archive whose blob does not match its name', async () => {
    const layout = path.join(scratch, 'oci-bad');
    mkdirSync(layout);
    sh('tar', ['-xf', path.join(scratch, 'oci.tar'), '-C', layout]);
    const image = await store.resolve('imported:1');
    const configPath = path.join(layout, 'blobs/sha256', image.configDigest.slice(7));
    writeFileSync(configPath, '{"tampered":true}');
    const bad = path.join(scratch, 'oci-bad.tar');
    sh('tar', ['-cf', bad, '-C', layout, '.']);
    const other = await Store.open(path.join(scratch, 'store-oci-bad'));
    await expect(loadArchive(other, bad)).rejects.toThrow(`digest mismatch: expected ${image.configDigest}`);
  });
});
