// `tsbuild build --platform`: this machine's platform builds as without it; another one builds what needs no
// emulation (FROM --platform=$BUILDPLATFORM stages, scratch, COPY) into an image of that platform, and a RUN
// whose program is of that platform fails saying an emulator is missing; a list of platforms builds an image index.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRootfs } from '../../image/archive/import-rootfs.js';
import { type Digest, type ImageIndex, type ImageManifest, OciMediaType, type Store } from '../../image/index.js';
import { formatPlatform, hostPlatform } from '../../planner/index.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const host = formatPlatform(hostPlatform());
/** A platform this machine is not, with its ELF machine number. */
const foreign =
  hostPlatform().architecture === 'arm64' ? { name: 'amd64', machine: 0x3e } : { name: 'arm64', machine: 0xb7 };
const foreignPlatform = `linux/${foreign.name}`;

/** The first bytes of a 64-bit little-endian ELF executable for `machine`: enough for the kernel to refuse it. */
function elfHeader(machine: number): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  header.writeUInt32LE(1, 20);
  return header;
}

function tarOf(dir: string): AsyncIterable<Uint8Array> {
  return spawn('tar', ['-C', dir, '--numeric-owner', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout;
}

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild build --platform', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
    // An image of the foreign platform whose shell is a program of that platform.
    const rootfs = await freshDir('r');
    await mkdir(path.join(rootfs, 'bin'));
    await writeFile(path.join(rootfs, 'bin', 'sh'), elfHeader(foreign.machine));
    await chmod(path.join(rootfs, 'bin', 'sh'), 0o755);
    await importRootfs(store, tarOf(rootfs), 'foreign:latest', { architecture: foreign.name, config: { Cmd: ['sh'] } });
  });

  const dockerfile = [
    'FROM --platform=$BUILDPLATFORM busybox AS build',
    'ARG BUILDPLATFORM TARGETPLATFORM',
    'RUN echo "$BUILDPLATFORM -> $TARGETPLATFORM" > /out',
    'FROM scratch',
    'COPY --from=build /out /out',
    '',
  ].join('\n');

  for (const platform of [host, foreignPlatform]) {
    it(`builds for ${platform}${platform === host ? ' (this machine)' : ''} what needs no emulation`, async () => {
      const ctx = await freshDir('c');
      await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
      const out = await freshDir('o');
      const tag = `cross:${platform.replaceAll('/', '-')}`;
      const built = await buildCommand(store, {
        context: ctx,
        quiet: true,
        platform,
        tags: [tag],
        outputs: [`type=local,dest=${out}`],
      });
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      expect(await readFile(path.join(out, 'out'), 'utf8')).toBe(`${host} -> ${platform}\n`);
      const image = await store.resolve(tag, { os: 'linux', architecture: platform.split('/')[1] });
      expect(`${image.config.os}/${image.config.architecture}`).toBe(platform);
    });
  }

  it('fails a RUN of the other platform’s program saying that an emulator is missing', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM foreign\nRUN true\n' }]);
    const built = await buildCommand(store, { context: ctx, platform: foreignPlatform, progress: 'plain' });
    expect(built.code).toBe(1);
    expect(built.stderr).toContain('exec format error');
    expect(built.stderr).toContain(
      `ERROR: failed to solve: process "/bin/sh -c true" did not complete successfully: exit code: 1 (the stage is ${foreignPlatform}: running its programs here needs an emulator, e.g. qemu-user-static with binfmt_misc)\n`,
    );
  });

  it('builds a list of platforms into one image index, with BuildKit’s platform-prefixed step names', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const archive = path.join(await freshDir('o'), 'multi.tar');
    const built = await buildCommand(store, {
      context: ctx,
      platform: `${host},${foreignPlatform},${host}`,
      tags: ['multi:1'],
      outputs: [`type=oci,dest=${archive}`],
      progress: 'plain',
      annotations: ['index:org.opencontainers.image.title=multi', `manifest[${foreignPlatform}]:only.foreign=1`],
    });
    expect(built.code, built.stderr).toBe(0);
    const index = built.stdout.trim() as Digest;
    const stored = await store.readJson<ImageIndex>(index);
    expect(stored.mediaType).toBe(OciMediaType.index);
    expect(stored.annotations).toEqual({ 'org.opencontainers.image.title': 'multi' });
    expect(stored.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual([
      host,
      foreignPlatform,
    ]);
    for (const platform of [host, foreignPlatform]) {
      const image = await store.resolve('multi:1', { os: 'linux', architecture: platform.split('/')[1] });
      expect(`${image.config.os}/${image.config.architecture}`).toBe(platform);
      expect(image.manifest.annotations).toEqual(platform === host ? undefined : { 'only.foreign': '1' });
      const layer = await store.readBlob(image.manifest.layers[0].digest);
      expect(execFileSync('tar', ['-xOf', '-', 'out'], { input: layer, encoding: 'utf8' })).toBe(
        `${host} -> ${platform}\n`,
      );
    }
    const run = (target: string) => `RUN echo "${host} -> ${target}" > /out\n`;
    expect(built.stderr).toContain(`[${host} build 2/2] ${run(host)}`);
    expect(built.stderr).toContain(`[${host}->${foreign.name} build 2/2] ${run(foreignPlatform)}`);
    expect(built.stderr).toContain(`[${foreignPlatform} stage-1 1/1] COPY --from=build /out /out\n`);
    // One `exporting to image` for the whole build, as BuildKit's: each platform's manifest and config, the index.
    expect(built.stderr.match(/^#\d+ exporting to image$/gm)).toHaveLength(1);
    const exportId = /^(#\d+) exporting to image$/m.exec(built.stderr)?.[1];
    const exportLines = built.stderr.split('\n').filter((line) => line.startsWith(`${exportId} `));
    const images = stored.manifests.map(async (m) => (await store.readJson<ImageManifest>(m.digest)).config.digest);
    const [hostConfig, foreignConfig] = await Promise.all(images);
    expect(exportLines.map((line) => line.replace(/ DONE \d+\.\ds$/, ' DONE'))).toEqual([
      `${exportId} exporting to image`,
      `${exportId} exporting manifest ${stored.manifests[0]?.digest} done`,
      `${exportId} exporting config ${hostConfig} done`,
      `${exportId} exporting manifest ${stored.manifests[1]?.digest} done`,
      `${exportId} exporting config ${foreignConfig} done`,
      `${exportId} exporting manifest list ${index} done`,
      `${exportId} naming to multi:1 done`,
      `${exportId} DONE`,
    ]);
    expect(built.stderr.match(/\[internal\] load build (definition from Dockerfile|context)\n/g)).toEqual([
      '[internal] load build definition from Dockerfile\n',
      '[internal] load build context\n',
    ]);
    // The OCI archive holds the index and every platform's image, as skopeo reads it.
    const raw = JSON.parse(
      execFileSync('skopeo', ['inspect', '--raw', `oci-archive:${archive}`], { encoding: 'utf8' }),
    );
    expect(raw).toEqual(stored);
    const arch = (name: string) =>
      JSON.parse(
        execFileSync('skopeo', ['inspect', '--override-arch', name, `oci-archive:${archive}`], { encoding: 'utf8' }),
      ).Architecture;
    expect([arch(host.split('/')[1] as string), arch(foreign.name)]).toEqual([host.split('/')[1], foreign.name]);
  });

  it('exports the cache of every platform at once: another store builds the same index without running a step', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const cache = path.join(await freshDir('k'), 'cache');
    const list = `${host},${foreignPlatform}`;
    const first = await buildCommand(store, {
      context: ctx,
      platform: list,
      progress: 'plain',
      cacheTo: [`type=local,dest=${cache},mode=max`],
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.match(/exporting cache to type=local/g)).toHaveLength(1);
    const other = await storeWithBusybox();
    const second = await buildCommand(other, {
      context: ctx,
      platform: list,
      progress: 'plain',
      cacheFrom: [`type=local,src=${cache}`],
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('cache miss');
    // Imported for every platform, shown once.
    expect(second.stderr.match(/^#\d+ importing cache manifest from /gm)).toHaveLength(1);
    expect(second.stdout).toBe(first.stdout);
  });

  it('writes each platform’s files to a directory of its own with -o type=local, as buildx splits them', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const out = await freshDir('o');
    const built = await buildCommand(store, {
      context: ctx,
      quiet: true,
      platform: `${host},${foreignPlatform}`,
      outputs: [`type=local,dest=${out}`],
    });
    expect({ code: built.code, stdout: built.stdout, stderr: built.stderr }).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    for (const platform of [host, foreignPlatform]) {
      const dir = path.join(out, platform.replaceAll('/', '_'));
      expect(await readFile(path.join(dir, 'out'), 'utf8')).toBe(`${host} -> ${platform}\n`);
    }
  });

  it('names a step that fails while planning (a missing source) with its platform, as the steps that run', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM scratch\nCOPY missing.txt /x\n' }]);
    const failed = await buildCommand(store, {
      context: ctx,
      platform: `${foreignPlatform},${host}`,
      progress: 'plain',
    });
    expect(failed.code).toBe(1);
    const name = `[${foreignPlatform} 1/1] COPY missing.txt /x`;
    expect(failed.stderr).toContain(
      `#3 ${name}\n#3 ERROR: failed to calculate checksum of ref local::context: "/missing.txt": not found\n`,
    );
    expect(failed.stderr).toContain(`> ${name}:`);
    expect(failed.stderr).not.toContain('[1/1] COPY missing.txt');
  });

  it('refuses what a list of platforms cannot give yet, and a malformed platform (exit 2)', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\n' }]);
    const list = `${host},${foreignPlatform}`;
    const docker = await buildCommand(store, { context: ctx, platform: list, outputs: ['type=docker,dest=d.tar'] });
    expect({ code: docker.code, stderr: docker.stderr }).toEqual({
      code: 2,
      stderr: `ERROR: --platform ${list}: an output of type=docker for several platforms is not supported (the images go into one image index: name it with -t, send it with --push, or write it with type=oci)\n`,
    });
    const bad = await buildCommand(store, { context: ctx, platform: 'linux//x' });
    expect({ code: bad.code, stderr: bad.stderr }).toEqual({
      code: 2,
      stderr: 'ERROR: --platform linux//x: not a platform (os/arch[/variant], e.g. linux/arm64)\n',
    });
  });
});
