import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../../image/digest.js';
import { parsePlatform, RegistryClient, type RegistryError } from '../../../image/registry/index.js';
import { type DistributionServer, startDistribution, testUser } from './distribution-server.js';
import { sha256 } from './fake-registry.js';
import { makeImage, type TestImage } from './fixtures.js';

// Against Debian's docker-registry (distribution 2.8) on loopback, cross-checked with skopeo.

const run = promisify(execFile);
let plain: DistributionServer;
let secured: DistributionServer;
let tmp: string;
const clients: RegistryClient[] = [];

function client(options: ConstructorParameters<typeof RegistryClient>[0] = {}): RegistryClient {
  const c = new RegistryClient({
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
    credentials: async () => undefined,
    ...options,
  });
  clients.push(c);
  return c;
}

async function pushImage(c: RegistryClient, host: string, repository: string, tag: string, image: TestImage) {
  const repo = { domain: host, path: repository };
  for (const blob of [image.config, image.layer]) {
    await c.pushBlob(repo, { digest: sha256(blob), size: blob.length }, { bytes: blob });
  }
  return c.putManifest(repo, tag, image.manifestType, image.manifest);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'tsbuild-distribution-'));
  [plain, secured] = await Promise.all([startDistribution(), startDistribution({ htpasswd: true })]);
});

afterAll(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all([plain?.stop(), secured?.stop()]);
  await rm(tmp, { recursive: true, force: true });
});

describe('docker-registry (plain HTTP on loopback)', () => {
  it('pushes an image and pulls it back with the same digests', async () => {
    const image = makeImage('roundtrip', { docker: true });
    const c = client();
    const pushed = await pushImage(c, plain.host, 'tsbuild/roundtrip', 'v1', image);
    expect(pushed.digest).toBe(sha256(image.manifest));

    const reader = client();
    const resolved = await reader.resolve({ domain: plain.host, path: 'tsbuild/roundtrip', tag: 'v1' });
    expect(resolved).toEqual({
      mediaType: image.manifestType,
      digest: sha256(image.manifest),
      size: image.manifest.length,
    });
    const { manifest, index } = await reader.getImage({ domain: plain.host, path: 'tsbuild/roundtrip', tag: 'v1' });
    expect(index).toBeUndefined();
    expect(manifest.bytes.equals(image.manifest)).toBe(true);
    const blobs = [manifest.manifest.config, ...manifest.manifest.layers];
    const downloaded = await reader.fetchBlobs(
      { domain: plain.host, path: 'tsbuild/roundtrip' },
      blobs,
      (_, f) => readFile(f),
      {
        tmpDir: tmp,
      },
    );
    expect(downloaded.map((b) => sha256(b))).toEqual([sha256(image.config), sha256(image.layer)]);
  });

  it('is read back by skopeo inspect', async () => {
    const image = makeImage('skopeo-reads');
    await pushImage(client(), plain.host, 'tsbuild/inspected', 'latest', image);
    const ref = `docker://${plain.host}/tsbuild/inspected:latest`;
    const raw = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', ref]);
    expect(raw.stdout).toBe(image.manifest.toString());
    const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', ref])).stdout) as Record<
      string,
      unknown
    >;
    expect(info['Digest']).toBe(sha256(image.manifest));
    expect(info['Architecture']).toBe('amd64');
    expect(info['Layers']).toEqual([sha256(image.layer)]);
  });

  it('mounts across repositories and uploads in chunks', async () => {
    const c = client();
    const blob = Buffer.from('chunked upload to distribution\n'.repeat(10_000));
    const digest = sha256(blob) as Digest;
    const file = path.join(tmp, 'chunked');
    await writeFile(file, blob);
    expect(
      await c.pushBlob(
        { domain: plain.host, path: 'tsbuild/a' },
        { digest, size: blob.length },
        { file },
        { chunkSize: 65_536 },
      ),
    ).toBe('uploaded');
    expect(await c.pushBlob({ domain: plain.host, path: 'tsbuild/a' }, { digest, size: blob.length }, { file })).toBe(
      'exists',
    );
    expect(
      await c.pushBlob(
        { domain: plain.host, path: 'tsbuild/b' },
        { digest, size: blob.length },
        { file },
        { mountFrom: 'tsbuild/a' },
      ),
    ).toBe('mounted');
    expect(await c.blobExists({ domain: plain.host, path: 'tsbuild/b' }, digest)).toBe(true);
    const back = await c.fetchBlob(
      { domain: plain.host, path: 'tsbuild/b' },
      { digest, size: blob.length },
      (f) => readFile(f),
      {
        tmpDir: tmp,
      },
    );
    expect(back.equals(blob)).toBe(true);
  });

  it('pulls a multi-platform index that skopeo copy pushed', async () => {
    // A hand-made OCI layout with two platforms; skopeo copies it verbatim to the registry.
    const layout = path.join(tmp, 'layout');
    await mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
    const images = ['linux/amd64', 'linux/arm64/v8'].map((platform) => {
      const base = makeImage(platform, { platform });
      const layer = gzipSync(base.layer);
      const manifest = Buffer.from(
        base.manifest
          .toString()
          .replace(sha256(base.layer), sha256(layer))
          .replace(`"size":${base.layer.length}}`, `"size":${layer.length}}`),
      );
      return { platform, image: { ...base, layer, manifest } };
    });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: images.map(({ platform, image }) => {
          const [os, architecture, variant] = platform.split('/');
          return {
            mediaType: image.manifestType,
            digest: sha256(image.manifest),
            size: image.manifest.length,
            platform: { architecture, os, ...(variant ? { variant } : {}) },
          };
        }),
      }),
    );
    const blobs = [index, ...images.flatMap(({ image }) => [image.config, image.layer, image.manifest])];
    for (const b of blobs) await writeFile(path.join(layout, 'blobs', 'sha256', sha256(b).slice(7)), b);
    await writeFile(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(
      path.join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.index.v1+json',
            digest: sha256(index),
            size: index.length,
            annotations: { 'org.opencontainers.image.ref.name': 'multi' },
          },
        ],
      }),
    );
    await run('skopeo', [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${layout}:multi`,
      `docker://${plain.host}/tsbuild/multi:1`,
    ]);

    const c = client();
    const ref = { domain: plain.host, path: 'tsbuild/multi', tag: '1' };
    for (const { platform, image } of images) {
      const got = await c.getImage(ref, parsePlatform(platform));
      expect(got.index?.descriptor.digest).toBe(sha256(index));
      expect(got.manifest.descriptor.digest).toBe(sha256(image.manifest));
      const [config, layer] = await c.fetchBlobs(
        ref,
        [got.manifest.manifest.config, ...got.manifest.manifest.layers],
        (_, f) => readFile(f),
        {
          tmpDir: tmp,
        },
      );
      expect(config!.equals(image.config)).toBe(true);
      expect(layer!.equals(image.layer)).toBe(true);
    }
    // arm/v7 is not there; arm64 machines prefer arm64 over nothing, and 386 is not available either
    const error = await c.getImage(ref, parsePlatform('linux/s390x')).then(
      () => undefined,
      (e: unknown) => e as RegistryError,
    );
    expect(error?.message).toBe(
      `${plain.host}/tsbuild/multi: no image for platform linux/s390x (available: linux/amd64, linux/arm64/v8)`,
    );
  });
});

describe('docker-registry with htpasswd basic auth', () => {
  it('refuses anonymous access with a clear error', async () => {
    const error = await client()
      .getManifest({ domain: secured.host, path: 'private/app' }, 'v1')
      .then(
        () => undefined,
        (e: unknown) => e as RegistryError,
      );
    expect(error?.code).toBe('EREG_AUTH_REQUIRED');
    expect(error?.message).toBe(`authentication required for ${secured.host}/private/app: run tsbuild login`);
  });

  it('logs in, pushes and pulls with the saved credentials, and logs out', async () => {
    const configDir = path.join(tmp, 'docker-config');
    const dockerConfig = { configDir };
    const bad = client({ credentials: undefined, dockerConfig });
    const refused = await bad.login(secured.host, testUser.username, 'wrong').then(
      () => undefined,
      (e: unknown) => e as RegistryError,
    );
    expect(refused?.message).toBe(`authentication failed for ${secured.host}: credentials rejected`);

    await client({ credentials: undefined, dockerConfig }).login(secured.host, testUser.username, testUser.password);
    const saved = JSON.parse(await readFile(path.join(configDir, 'config.json'), 'utf8')) as unknown;
    expect(saved).toEqual({
      auths: { [secured.host]: { auth: Buffer.from(`${testUser.username}:${testUser.password}`).toString('base64') } },
    });

    const image = makeImage('private');
    const pusher = client({ credentials: undefined, dockerConfig });
    await pushImage(pusher, secured.host, 'private/app', 'v1', image);
    const got = await client({ credentials: undefined, dockerConfig }).getManifest(
      { domain: secured.host, path: 'private/app' },
      'v1',
    );
    expect(got.descriptor.digest).toBe(sha256(image.manifest));
    const info = await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      `${testUser.username}:${testUser.password}`,
      `docker://${secured.host}/private/app:v1`,
    ]);
    expect((JSON.parse(info.stdout) as { Digest: string }).Digest).toBe(sha256(image.manifest));

    expect(await client({ credentials: undefined, dockerConfig }).logout(secured.host)).toBe(true);
    expect(JSON.parse(await readFile(path.join(configDir, 'config.json'), 'utf8'))).toEqual({ auths: {} });
    const error = await client({ credentials: undefined, dockerConfig })
      .getManifest({ domain: secured.host, path: 'private/app' }, 'v1')
      .then(
        () => undefined,
        (e: unknown) => e as RegistryError,
      );
    expect(error?.code).toBe('EREG_AUTH_REQUIRED');
  });
});
