// `RUN --mount` as runtime mounts: bind (context or a stage/image, read-only unless rw, and rw writes
// go to a private copy so they are discarded), cache (a persistent directory in the store), tmpfs,
// secret (a file outside every layer), ssh (a socket tsbuild serves, relaying to the agent `--ssh`
// named). Sources are resolved inside their tree.
import { execFile } from 'node:child_process';
import { chown, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { contextRefId } from '../../cache/index.js';
import { isInside, resolveInRoot } from '../../image/index.js';
import { type RunMount, ramInBytes } from '../../planner/index.js';
import type { ExtraMount } from '../runtime/spec.js';
import { acquireCacheDir, type CacheSeed } from './cache-mount.js';
import { filteredContextDir } from './context-view.js';
import { SourceNotFoundError, treeRefId } from './copy-items.js';
import type { FsState } from './layer-ref.js';
import { withReadView } from './lower-dirs.js';
import { readSecretSource } from './secret-source.js';
import { serveAgentSocket } from './ssh-forward.js';
import { contextOf, type StepEnv } from './step-env.js';

const run = promisify(execFile);

export class MountSetupError extends Error {
  readonly code = 'E_RUN_MOUNT';
}

/** Mounts plus what they hold (views, cache locks, agent sockets); `release` lets go after the run. */
export interface PreparedMounts {
  readonly mounts: ExtraMount[];
  /** `NAME=value` entries the process gets unless its env sets NAME (SSH_AUTH_SOCK, as in BuildKit). */
  readonly env: readonly string[];
  /**
   * `NAME=value` of secrets mounted as variables (`type=secret,env=NAME`): they replace NAME in the env, as
   * BuildKit's appended secret env does (containerd's WithEnv replaces a name set earlier).
   */
  readonly secretEnv: readonly string[];
  release(): Promise<void>;
}

const nameOf = (entry: string): string => entry.slice(0, entry.indexOf('='));

/** `envList` plus the mounts' defaults for names it does not set, then the secret variables over both. */
export function withMountEnv(
  envList: readonly string[],
  prepared: Pick<PreparedMounts, 'env' | 'secretEnv'>,
): string[] {
  const names = new Set(envList.map(nameOf));
  const merged = [...envList, ...prepared.env.filter((entry) => !names.has(nameOf(entry)))];
  const secretNames = new Set(prepared.secretEnv.map(nameOf));
  return [...merged.filter((entry) => !secretNames.has(nameOf(entry))), ...prepared.secretEnv];
}

export async function prepareMounts(
  env: StepEnv,
  specs: readonly RunMount[],
  scratch: string,
): Promise<PreparedMounts> {
  const mounts: ExtraMount[] = [];
  const secretEnv: string[] = [];
  const releases: (() => Promise<void>)[] = [];
  const release = async () => {
    for (const r of releases.reverse()) await r();
  };
  try {
    for (const [i, spec] of specs.entries()) {
      if (spec.type === 'secret' && spec.options.env !== undefined) {
        // A secret that is optional and not given is an empty variable, as in BuildKit.
        const value = await secretValue(env, spec);
        secretEnv.push(`${spec.options.env}=${value?.toString('utf8') ?? ''}`);
        // With env= and no target, the secret is a variable only; with a target, also a file of the same value.
        if (spec.target === '') continue;
        const mount = await secretMount(spec, path.join(scratch, `mnt${i}`), value);
        if (mount !== null) mounts.push(mount);
        continue;
      }
      const mount = await prepareOne(env, spec, path.join(scratch, `mnt${i}`), releases);
      if (mount !== null) mounts.push(mount);
    }
  } catch (error) {
    await release();
    throw error;
  }
  // BuildKit points SSH_AUTH_SOCK at the first ssh mount, forwarded or not.
  const ssh = specs.find((spec) => spec.type === 'ssh');
  return { mounts, env: ssh === undefined ? [] : [`SSH_AUTH_SOCK=${ssh.target}`], secretEnv, release };
}

async function prepareOne(
  env: StepEnv,
  spec: RunMount,
  scratch: string,
  releases: (() => Promise<void>)[],
): Promise<ExtraMount | null> {
  switch (spec.type) {
    case 'tmpfs': {
      const size = spec.options.size === undefined ? undefined : parseSize(spec.options.size);
      return { type: 'tmpfs', target: spec.target, ...(size === undefined ? {} : { size }) };
    }
    case 'cache': {
      const seed = spec.origin === null ? undefined : await cacheSeed(env, spec, releases);
      const lease = await acquireCacheDir(env.store.paths.cache, spec, env.signal, seed);
      releases.push(() => lease.release());
      return { type: 'bind', source: lease.dir, target: spec.target, readonly: spec.readonly };
    }
    case 'secret':
      return secretMount(spec, scratch, await secretValue(env, spec));
    case 'ssh':
      return sshMount(env, spec, scratch, releases);
    case 'bind':
      return bindMount(env, spec, scratch, releases);
  }
}

/** The tmpfs size in bytes (the planner refused one RAMInBytes cannot read). */
function parseSize(text: string): number {
  const size = ramInBytes(text);
  if (size === null) throw new MountSetupError(`invalid value for size: ${text}`);
  return size;
}

/** The value of the secret `spec` mounts; null when it is not given (an error if it is required). */
async function secretValue(env: StepEnv, spec: RunMount): Promise<Buffer | null> {
  const id = spec.options.id ?? path.posix.basename(spec.target);
  const value = await readSecretSource(env.secrets.get(id));
  if (value === null && spec.options.required === 'true') throw new MountSetupError(`secret ${id}: not found`);
  return value;
}

async function secretMount(spec: RunMount, scratch: string, value: Buffer | null): Promise<ExtraMount | null> {
  if (value === null) return null;
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  const file = path.join(scratch, 'secret');
  await writeFile(file, value, { mode: Number.parseInt(spec.options.mode ?? '400', 8) });
  await chown(file, Number(spec.options.uid ?? 0), Number(spec.options.gid ?? 0));
  return { type: 'bind', source: file, target: spec.target, readonly: true };
}

/** `from=STAGE|IMAGE,source=DIR`: a new instance of the cache starts as a copy of that directory. */
async function cacheSeed(env: StepEnv, spec: RunMount, releases: (() => Promise<void>)[]): Promise<CacheSeed> {
  const origin = spec.origin;
  if (origin?.type === 'context' && origin.name !== undefined)
    throw new MountSetupError(`a cache mount cannot be seeded from the build context ${origin.name}: not supported`);
  if (origin === null || origin.type === 'context')
    throw new MountSetupError('a cache mount is seeded from a stage or image');
  const fs = origin.type === 'stage' ? await env.stageFs(origin.index) : await env.imageFs(origin.ref);
  const sourceRel = (spec.source ?? '/').replace(/^\/+/, '');
  const layers = fs.layers.map((layer) => layer.diffId).join(',');
  return {
    identity: `${layers}\0${sourceRel}`,
    async populate(dir) {
      const root = await openView(env, fs, releases);
      const source = await resolveInRoot(root, sourceRel, true);
      if (!isInside(root, source)) throw new MountSetupError(`mount source ${spec.source} is outside of its root`);
      const info = await stat(source).catch(() => null);
      if (info === null) throw missingSource(origin, sourceRel);
      if (!info.isDirectory()) throw new MountSetupError(`cache mount source ${spec.source} is not a directory`);
      await run('cp', ['-a', '--no-dereference', `${source}/.`, dir]);
    },
  };
}

async function sshMount(
  env: StepEnv,
  spec: RunMount,
  scratch: string,
  releases: (() => Promise<void>)[],
): Promise<ExtraMount | null> {
  const id = spec.options.id ?? 'default';
  const source = env.ssh?.get(id);
  if (source === undefined) {
    if (spec.options.required === 'true')
      throw new MountSetupError(`no SSH key ${JSON.stringify(id)} forwarded from the client`);
    return null;
  }
  const socket = await serveAgentSocket(source, scratch, {
    uid: Number(spec.options.uid ?? 0),
    gid: Number(spec.options.gid ?? 0),
    mode: Number.parseInt(spec.options.mode ?? '600', 8),
  });
  releases.push(() => socket.close());
  return { type: 'bind', source: socket.path, target: spec.target, readonly: spec.readonly };
}

async function bindMount(
  env: StepEnv,
  spec: RunMount,
  scratch: string,
  releases: (() => Promise<void>)[],
): Promise<ExtraMount> {
  const sourceRel = (spec.source ?? '/').replace(/^\/+/, '');
  const origin = spec.origin ?? { type: 'context' };
  const context = origin.type === 'context' ? contextOf(env, origin) : null;
  let root: string;
  if (origin.type === 'context') root = contextOf(env, origin).root;
  else {
    const fs = origin.type === 'stage' ? await env.stageFs(origin.index) : await env.imageFs(origin.ref);
    root = await openView(env, fs, releases);
  }
  const source = await resolveInRoot(root, sourceRel, true);
  if (!isInside(root, source)) throw new MountSetupError(`mount source ${spec.source} is outside of its root`);
  const notFound = () => missingSource(origin, sourceRel);
  const info = await stat(source).catch(() => {
    throw notFound();
  });
  if (context !== null) {
    // What .dockerignore leaves out is not in the context: neither as the source nor inside it.
    if (source !== context.root && context.get(path.relative(context.root, source)) === undefined) throw notFound();
    const filtered = info.isDirectory()
      ? await filteredContextDir(context, source, !spec.readonly, scratch, releases)
      : null;
    if (filtered !== null) return { type: 'bind', source: filtered, target: spec.target, readonly: spec.readonly };
  }
  if (spec.readonly) return { type: 'bind', source, target: spec.target, readonly: true };
  // A writable bind mount gets a private copy: its writes are discarded with the step.
  await mkdir(scratch, { recursive: true });
  const copy = path.join(scratch, 'rw');
  await run('cp', ['-a', '--no-dereference', source, copy]);
  return { type: 'bind', source: copy, target: spec.target, readonly: false };
}

/**
 * A mount's source missing from where it is read, in BuildKit's words: the step's cache key needs the content
 * checksum of every mount's source (bind and cache mounts alike: exec op's getMountDeps), as a COPY's does.
 */
function missingSource(origin: NonNullable<RunMount['origin']>, sourceRel: string): SourceNotFoundError {
  const ref = origin.type === 'context' ? contextRefId(origin.name) : treeRefId(origin);
  const cause = `"${path.posix.resolve('/', sourceRel)}": not found`;
  return SourceNotFoundError.checksum(ref, cause);
}

/** Keeps a read-only view of `fs` mounted until the step's mounts are released. */
function openView(env: StepEnv, fs: FsState, releases: (() => Promise<void>)[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const held = withReadView(env.store, fs, async (root) => {
      resolve(root);
      await finished;
    });
    held.catch(reject);
    releases.push(async () => {
      done();
      await held.catch(() => {});
    });
  });
}
