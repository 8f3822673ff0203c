// `tsbuild pull` against Debian's docker-registry on loopback: tags, digests, platforms from an index pushed
// by skopeo, verified blobs, and nothing tagged when the pull fails.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run as prune } from '../../cli/commands/prune/run.js';
import { run } from '../../cli/commands/pull/run.js';
import { run as push } from '../../cli/commands/push/run.js';
import { type Digest, OciMediaType, sha256Digest, storeLayerAsGzip } from '../../image/index.js';
import { type DistributionServer, startDistribution } from '../image/registry/distribution-server.js';
import { buildImage, capture, distBuilt, runCli, spawnCli, type TempStore, tarOf, tempStore } from './image-helpers.js';

const exec = promisify(execFile);
const bundledCli = path.resolve(import.meta.dirname, '../../dist/bin/tsbuild.js');
/** The bundle exists and was built after the raw client it is checked for (`npm run build`). */
const bundleIsFresh = (): boolean =>
  existsSync(bundledCli) &&
  statSync(bundledCli).mtimeMs >=
    statSync(path.resolve(import.meta.dirname, '../../image/registry/raw-get.ts')).mtimeMs;
let registry: DistributionServer;
let t: TempStore;

beforeAll(async () => {
  registry = await startDistribution();
});
afterAll(async () => {
  await registry?.stop();
});
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

/** Pushes an image from a scratch store; answers its manifest digest and layer digests. */
async function published(name: string, seed: string): Promise<{ manifest: Digest; layers: Digest[] }> {
  const source = await tempStore();
  try {
    const built = await buildImage(source.store, name, seed);
    expect(await push({ root: source.root, name, quiet: true }, capture().io)).toBe(0);
    const image = await source.store.resolve(name);
    return { manifest: built.manifestDigest, layers: image.manifest.layers.map((l) => l.digest) };
  } finally {
    await source.cleanup();
  }
}

/** A two-platform OCI index copied into the registry by skopeo. */
async function publishIndex(name: string): Promise<Record<string, Digest>> {
  const layout = path.join(t.dir, 'layout');
  await mkdir(path.join(layout, 'blobs/sha256'), { recursive: true });
  const put = async (bytes: Buffer): Promise<{ digest: Digest; size: number }> => {
    const digest = sha256Digest(bytes);
    await writeFile(path.join(layout, 'blobs/sha256', digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const { gzipSync } = await import('node:zlib');
  const manifests: Record<string, Digest> = {};
  const entries = [];
  for (const arch of ['amd64', 'arm64']) {
    const tar = Buffer.alloc(1024); // an empty tar: two zero blocks
    const layer = await put(gzipSync(tar));
    const config = await put(
      Buffer.from(
        JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] } }),
      ),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    );
    const stored = await put(manifest);
    manifests[arch] = stored.digest;
    entries.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...stored,
      platform: { architecture: arch, os: 'linux' },
    });
  }
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }),
  );
  const top = await put(index);
  manifests['index'] = top.digest;
  await writeFile(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          ...top,
          annotations: { 'org.opencontainers.image.ref.name': 'multi' },
        },
      ],
    }),
  );
  await exec('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${layout}:multi`, `docker://${name}`]);
  return manifests;
}

describe('tsbuild pull', () => {
  it('pulls a tag, prints Docker-like progress, and is up to date the second time', async () => {
    const name = `${registry.host}/team/app:v1`;
    const { manifest, layers } = await published(name, 'pulled');
    const c = capture();
    expect(await run({ root: t.root, name }, c.io)).toBe(0);
    expect(c.out()).toBe(
      [
        `v1: Pulling from ${registry.host}/team/app`,
        `${layers[0]!.slice(7, 19)}: Pull complete`,
        `${layers[1]!.slice(7, 19)}: Pull complete`,
        `Digest: ${manifest}`,
        `Status: Downloaded newer image for ${name}`,
        name,
        '',
      ].join('\n'),
    );
    expect((await t.store.resolve(name)).manifestDigest).toBe(manifest);
    const again = capture();
    expect(await run({ root: t.root, name }, again.io)).toBe(0);
    expect(again.out()).toContain(`${layers[0]!.slice(7, 19)}: Already exists\n`);
    expect(again.out()).toContain(`Status: Image is up to date for ${name}\n`);
    expect(await readdir(path.join(t.root, 'tmp'))).toEqual([]);
  });

  it('picks the platform from an index, and resolves by digest', async () => {
    const name = `${registry.host}/team/multi:1`;
    const digests = await publishIndex(name);
    const c = capture();
    expect(await run({ root: t.root, name, platform: 'linux/arm64', quiet: true }, c.io)).toBe(0);
    expect(c.out()).toBe(`${name}\n`);
    const image = await t.store.resolve(name);
    expect(image.manifestDigest).toBe(digests['arm64']);
    expect(image.config.architecture).toBe('arm64');

    const byDigest = `${registry.host}/team/multi@${digests['amd64']}`;
    const d = capture();
    expect(await run({ root: t.root, name: byDigest, platform: 'linux/amd64' }, d.io)).toBe(0);
    expect(d.out()).toContain(`Digest: ${digests['amd64']}\n`);
    expect((await t.store.resolve(byDigest)).config.architecture).toBe('amd64');

    const byIndex = `${registry.host}/team/multi@${digests['index']}`;
    expect(await run({ root: t.root, name: byIndex, platform: 'linux/amd64', quiet: true }, capture().io)).toBe(0);
    const amd64 = { os: 'linux', architecture: 'amd64' };
    expect((await t.store.resolve(byIndex, amd64)).manifestDigest).toBe(digests['amd64']);
  });

  it('fails clearly and tags nothing for a missing tag or platform', async () => {
    const missing = capture();
    expect(await run({ root: t.root, name: `${registry.host}/team/none:1`, quiet: true }, missing.io)).toBe(1);
    expect(missing.err()).toBe(`Error: manifest unknown: ${registry.host}/team/none:1 not found\n`);
    const name = `${registry.host}/team/plat:1`;
    await publishIndex(name);
    const noPlatform = capture();
    expect(await run({ root: t.root, name, platform: 'linux/s390x', quiet: true }, noPlatform.io)).toBe(1);
    expect(noPlatform.err()).toBe(
      `Error: ${registry.host}/team/plat: no image for platform linux/s390x (available: linux/amd64, linux/arm64)\n`,
    );
    expect(await t.store.listImages()).toEqual([]);
  });

  it('leaves no tag and no unverified blob when a layer cannot be fetched', async () => {
    const name = `${registry.host}/team/broken:1`;
    const { layers } = await published(name, 'broken');
    // distribution's delete API drops the second layer, so the pull fails half-way.
    const res = await fetch(`http://${registry.host}/v2/team/broken/blobs/${layers[1]}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    const c = capture();
    expect(await run({ root: t.root, name, quiet: true }, c.io)).toBe(1);
    expect(c.err()).toMatch(new RegExp(`^Error: .*${layers[1]!.slice(7)}.*\\n$`));
    expect(await t.store.listImages()).toEqual([]);
    for (const file of await readdir(t.store.paths.blobs)) {
      const bytes = await readFile(path.join(t.store.paths.blobs, file));
      expect(sha256Digest(bytes)).toBe(`sha256:${file}`);
    }
    expect(await readdir(path.join(t.root, 'tmp'))).toEqual([]);
  });

  it.skipIf(!distBuilt())('survives SIGKILL at any point: no half-written blob, no dangling tag', async () => {
    const name = `${registry.host}/team/big:1`;
    const source = await tempStore();
    try {
      // 48 MB that gzip cannot shrink, so the transfer lasts long enough to be cut.
      const layer = await storeLayerAsGzip(
        source.store,
        await tarOf({ big: randomBytes(48 << 20).toString('latin1') }),
      );
      const config = await source.store.putConfig({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      });
      const manifest = await source.store.putManifest({
        schemaVersion: 2,
        mediaType: OciMediaType.manifest,
        config,
        layers: [{ mediaType: OciMediaType.layerGzip, digest: layer.digest, size: layer.size }],
      });
      await source.store.tag(name, manifest.digest);
      expect(await push({ root: source.root, name, quiet: true }, capture().io)).toBe(0);
    } finally {
      await source.cleanup();
    }
    const child = await spawnCli(['pull', '-q', name], { TSBUILD_ROOT: t.root });
    child.stdin.end();
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const tmp = path.join(t.root, 'tmp');
    for (let i = 0; i < 400 && child.exitCode === null; i++) {
      const dirs = await readdir(tmp).catch(() => [] as string[]);
      const partial = dirs.length > 0 && (await readdir(path.join(tmp, dirs[0]!)).catch(() => [])).length > 0;
      if (partial) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await exited;
    // Every blob in the store matches its name: nothing half-written.
    for (const file of await readdir(t.store.paths.blobs)) {
      expect(sha256Digest(await readFile(path.join(t.store.paths.blobs, file)))).toBe(`sha256:${file}`);
    }
    // The kill came while the layer was still arriving (a partial download existed), so nothing is tagged.
    expect(await t.store.listImages()).toEqual([]);
    expect(await prune({ root: t.root, keepRecentSeconds: 0, quiet: true }, capture().io)).toBe(0);
    expect(await readdir(tmp).catch(() => [])).toEqual([]);
    // And the next pull completes.
    expect(await run({ root: t.root, name, quiet: true }, capture().io)).toBe(0);
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const name = `${registry.host}/cli/pulled:1`;
    const { manifest } = await published(name, 'cli');
    const result = await runCli(['pull', '-q', name], { TSBUILD_ROOT: t.root });
    expect(result).toEqual({ code: 0, stdout: `${name}\n`, stderr: '' });
    expect((await t.store.resolve(name)).manifestDigest).toBe(manifest);
  });

  // node:http and node:https cost tens of ms to load (more through ESM, which evaluates Node's bundled undici);
  // the raw GET client of image/registry carries every request of a pull from a plain-HTTP registry.
  it.skipIf(!bundleIsFresh())(
    'pulls from a plain-HTTP registry without loading node:http or https (npm run build first)',
    async () => {
      const name = `${registry.host}/cli/modules:1`;
      const { manifest } = await published(name, 'modules');
      const report = path.join(t.dir, 'report.cjs');
      await writeFile(
        report,
        "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'));\n",
      );
      const { stdout, stderr } = await exec(process.execPath, ['--require', report, bundledCli, 'pull', '-q', name], {
        env: { ...process.env, TSBUILD_ROOT: t.root },
      });
      expect(stdout).toBe(`${name}\n`);
      const loaded = JSON.parse(stderr.slice(stderr.indexOf('LOADED ') + 'LOADED '.length)) as string[];
      expect(loaded).toContain('NativeModule net'); // the report works
      expect(loaded.filter((m) => /\b(http|https|tls|undici)\b/.test(m))).toEqual([]);
      expect((await t.store.resolve(name)).manifestDigest).toBe(manifest);
    },
  );
});
