// Shared set-up of the image command tests: a temporary store, captured output, small images with known
// history, and a way to run the compiled CLI in a child process.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import type { CommandIo } from '../../cli/commands/images/command-io.js';
import {
  type Digest,
  type HistoryEntry,
  type ImageConfig,
  importRootfs,
  OciMediaType,
  Store,
  storeLayerAsGzip,
  type TarEntry,
  tarChunks,
} from '../../image/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TempStore {
  dir: string;
  root: string;
  store: Store;
  cleanup(): Promise<void>;
}

export async function tempStore(): Promise<TempStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-imagecmd-'));
  const root = path.join(dir, 'store');
  const store = await Store.open(root);
  return { dir, root, store, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Captured {
  io: CommandIo;
  out(): string;
  err(): string;
}

export function capture(extra: Partial<CommandIo> = {}): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        err += text;
      },
      env: { HOME: '/nonexistent' },
      ...extra,
    },
    out: () => out,
    err: () => err,
  };
}

export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const entries: TarEntry[] = Object.entries(files).map(([file, text]) => ({
    path: file,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    content: Buffer.from(text),
  }));
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export const created = '2020-01-02T03:04:05Z';

export interface BuiltImage {
  manifestDigest: Digest;
  configDigest: Digest;
}

export interface ForeignIndex {
  readonly indexDigest: Digest;
  /** The linux/arm64 image: the first image of the index the store has. */
  readonly arm64: BuiltImage;
  readonly ppc64le: BuiltImage;
}

/**
 * Tags `name` as an index with no image of this machine's platform, as a multi-platform build for other platforms or
 * a pull for one leaves: a BuildKit attestation manifest first, an s390x image the store does not have, then arm64
 * and ppc64le images.
 */
export async function foreignIndex(store: Store, name: string): Promise<ForeignIndex> {
  const arm64 = await buildImage(store, undefined, 'arm', 'arm64');
  const ppc64le = await buildImage(store, undefined, 'ppc', 'ppc64le');
  const entry = async (image: BuiltImage, architecture: string) => ({
    mediaType: OciMediaType.manifest,
    digest: image.manifestDigest,
    size: await store.blobSize(image.manifestDigest),
    platform: { os: 'linux', architecture },
  });
  const attestation = {
    ...(await entry(ppc64le, 'unknown')),
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
  };
  const missing = { ...(await entry(arm64, 's390x')), digest: `sha256:${'5'.repeat(64)}` as Digest };
  const index = await store.putManifest({
    schemaVersion: 2,
    mediaType: OciMediaType.index,
    manifests: [attestation, missing, await entry(arm64, 'arm64'), await entry(ppc64le, 'ppc64le')],
  });
  await store.tag(name, index.digest);
  return { indexDigest: index.digest, arm64, ppc64le };
}

/** A two-layer image with build-like history: an ADD layer, an ENV without a layer, a COPY layer. */
export async function buildImage(
  store: Store,
  name: string | undefined,
  seed = 'a',
  architecture = 'amd64',
): Promise<BuiltImage> {
  const first = await storeLayerAsGzip(store, await tarOf({ 'etc/hello': `hello ${seed}\n` }));
  const second = await storeLayerAsGzip(store, await tarOf({ 'app/run.sh': `echo ${seed}\n` }));
  const history: HistoryEntry[] = [
    { created, created_by: '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ' },
    { created, created_by: 'ENV A=1', comment: 'buildkit.dockerfile.v0', empty_layer: true },
    {
      created,
      created_by: 'COPY app/run.sh /app/run.sh # a long line that Docker truncates at 45 characters',
      comment: 'buildkit.dockerfile.v0',
    },
  ];
  const config: ImageConfig = {
    architecture,
    os: 'linux',
    created,
    author: 'someone',
    config: { Env: ['PATH=/usr/bin:/bin', 'A=1'], Cmd: ['/bin/sh'], WorkingDir: '/app' },
    rootfs: { type: 'layers', diff_ids: [first.diffId, second.diffId] },
    history,
  };
  const configDescriptor = await store.putConfig(config);
  const manifest = await store.putManifest({
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    config: configDescriptor,
    layers: [first, second].map((l) => ({ mediaType: OciMediaType.layerGzip, digest: l.digest, size: l.size })),
  });
  if (name !== undefined) await store.tag(name, manifest.digest);
  return { manifestDigest: manifest.digest, configDigest: configDescriptor.digest };
}

/** A one-layer imported image (empty config, `Imported from -`). */
export async function importImage(store: Store, name: string, files: Record<string, string> = { 'bin/x': 'x\n' }) {
  return importRootfs(store, await tarOf(files), name, { created });
}

export const distMain = path.join(repoRoot, 'dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let wired: boolean | undefined;

/** Whether the built CLI already declares the image commands (the lead wires them into program.ts). */
async function builtCliHasImageCommands(): Promise<boolean> {
  if (wired === undefined) {
    const program = await readFile(path.join(repoRoot, 'dist/cli/program.js'), 'utf8').catch(() => '');
    wired = program.includes('registerImageCommands');
  }
  return wired;
}

export const distBuilt = () => existsSync(distMain) && existsSync(path.join(repoRoot, 'dist/cli/image-commands.js'));

/**
 * Starts the compiled CLI: `node dist/cli/main.js ARGS` once program.ts registers the image commands; until
 * then the same compiled program with `registerImageCommands` added, the way main.ts runs it.
 */
export async function spawnCli(args: string[], env: Record<string, string>): Promise<ChildProcessWithoutNullStreams> {
  const direct = await builtCliHasImageCommands();
  const shim = [
    `import { buildCli, encodeStdinOperand } from ${JSON.stringify(path.join(repoRoot, 'dist/cli/program.js'))};`,
    `import { registerImageCommands } from ${JSON.stringify(path.join(repoRoot, 'dist/cli/image-commands.js'))};`,
    'let chosen; const choose = (r) => { chosen = r; };',
    'const argv = process.argv.slice(2).map(encodeStdinOperand);',
    'await registerImageCommands(buildCli(argv, choose), choose).parseAsync();',
    'if (chosen) process.exitCode = await chosen();',
  ].join('\n');
  // A file, not `node -e`: node reads `-e … -- inspect` as its debugger sub-command.
  const shimFile = path.join(tmpdir(), `tsbuild-image-cli-shim-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  if (!direct) await writeFile(shimFile, shim);
  const child = spawn(process.execPath, [direct ? distMain : shimFile, ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: env['HOME'] ?? '/nonexistent', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (!direct) child.once('close', () => rmSync(shimFile, { force: true }));
  return child;
}

/** Runs the compiled CLI (see spawnCli) to the end. */
export async function runCli(args: string[], env: Record<string, string>, stdin?: Buffer): Promise<CliResult> {
  const child = await spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  if (stdin) Readable.from([stdin]).pipe(child.stdin);
  else child.stdin.end();
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

/**
 * A fresh store for each test of the file, read in UTC (docker's CreatedAt columns are local times): call at the top
 * level of a test file; the returned getter gives the current test's store.
 */
export function storePerTestInUtc(): () => TempStore {
  let current: TempStore | undefined;
  const zone = process.env.TZ;
  beforeEach(async () => {
    current = await tempStore();
    process.env.TZ = 'UTC';
  });
  afterEach(async () => {
    await current?.cleanup();
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });
  return () => current as TempStore;
}
