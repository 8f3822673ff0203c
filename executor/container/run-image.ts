// `tsbuild run`: a container from an image in the store. The image's layers are the shared layer
// snapshots of the build (extracted once, `<store>/snapshots/<id>`), stacked read-only under a
// private upper dir that is thrown away afterwards, so a run never changes the image or its
// snapshots. The process gets the image's ENTRYPOINT/CMD, env, user and working dir as `docker run`
// gives them, runs through the same runtime spec as RUN, and its exit code is the result.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type ContainerConfig,
  configPlatform,
  formatPlatform,
  hostPlatform,
  ImageNotFoundError,
  platformMatches,
  type ResolvedImage,
  type Store,
} from '../../image/index.js';
import type { ExtraHost, Ulimit } from '../../planner/index.js';
import { mkdirInRoot, relOf } from '../build/copy-write.js';
import type { LayerRef } from '../build/layer-ref.js';
import { lowerDirsOf } from '../build/lower-dirs.js';
import { removeStaleWork, tempSnapshotDir } from '../build/snapshots.js';
import { missingImageMessage } from '../build/store-images.js';
import { resolveProcessUser, UserLookupError } from '../build/users.js';
import { writeNetworkFiles } from '../runtime/network-files.js';
import { hostDevices, ownBoundingSet, privilegedCapabilities } from '../runtime/privileged.js';
import type { TerminalSize } from '../runtime/pty-resize.js';
import { newContainerId, RuntimeError, runContainer } from '../runtime/runc.js';
import type { ContainerTerminal } from '../runtime/spawned-run.js';
import { createRunSpec, type ExtraMount } from '../runtime/spec.js';
import { cleanMountsUnder, listMountsUnder } from '../snapshot/leftovers.js';
import { mountOverlay } from '../snapshot/overlay.js';
import { tweakCapabilities } from './capabilities.js';
import { containerArgv } from './command-line.js';
import { containerEnv } from './environment.js';
import { ContainerError, startFailureExitCode } from './errors.js';
import { removeStaleContainers } from './stale.js';
import { type BindVolume, checkVolumeSources } from './volumes.js';

export interface RunImageOptions {
  readonly store: Store;
  /** A tag, digest, image ID or ID prefix in the store. */
  readonly image: string;
  /** Arguments after the image name (replace CMD). */
  readonly args?: readonly string[];
  /** `--entrypoint`; '' clears the image's ENTRYPOINT. */
  readonly entrypoint?: string;
  /** `-e NAME=value` or `-e NAME`, in order. */
  readonly env?: readonly string[];
  /** Where `-e NAME` takes its value from (default: this process's env). */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
  /** `-u`: `user`, `uid`, `user:group`, `uid:gid`; default the image's USER. */
  readonly user?: string;
  /** `-w`: absolute; default the image's WORKDIR, else `/`. */
  readonly workdir?: string;
  /** Default: the first 12 hex digits of the container id, as in Docker. */
  readonly hostname?: string;
  /** `host` (default) or `none` (only `lo`). */
  readonly network?: 'host' | 'none';
  /** `-v` and `--mount type=bind`: host paths bound into the container (volumes.ts). */
  readonly volumes?: readonly BindVolume[];
  /** `--tmpfs` and `--mount type=tmpfs` (mount-options.ts). */
  readonly tmpfs?: readonly ExtraMount[];
  /** `--privileged`: every capability tsbuild holds, no seccomp filter, the host's devices (runtime/privileged.ts). */
  readonly privileged?: boolean;
  /** `--cap-add` / `--cap-drop` (capabilities.ts); `--privileged` gives every capability whatever they say. */
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** `--read-only`: the container's root filesystem is read-only. */
  readonly readOnly?: boolean;
  /** `--add-host`, `--shm-size`, `--ulimit`: as a build gives them to its RUN steps. */
  readonly extraHosts?: readonly ExtraHost[];
  readonly shmSize?: number;
  readonly ulimits?: readonly Ulimit[];
  readonly runtime?: string;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  /** A warning docker's daemon gives for the run (the text after `WARNING: `), before the container starts. */
  readonly onWarning?: (message: string) => void;
  /** `-i`: the container's standard input (not with a 'caller' terminal, which is runc's own stdin). */
  readonly stdin?: NodeJS.ReadableStream;
  /** `-t`: the process's stdin, stdout and stderr are a new pseudo-terminal (see ContainerTty). */
  readonly tty?: ContainerTty;
  /** Aborting kills the container; the run still cleans up before it resolves. */
  readonly signal?: AbortSignal;
  /** Given a function that sends a signal to the container's process (see RunContainerOptions.onRelay). */
  readonly onRelay?: (relay: (signal: NodeJS.Signals) => void) => void;
}

/**
 * A container's terminal. `caller`: runc proxies it to this process's own stdin and stdout, which hold
 * the user's terminal (`run -it`); `private`: its output (stdout and stderr in one) comes to onStdout
 * (`run -t`). The console starts at `size`, the caller's terminal's, when there is one.
 */
export interface ContainerTty {
  readonly mode: ContainerTerminal;
  readonly size?: TerminalSize;
  /**
   * Subscribes to the caller's terminal's size changes (returns the unsubscribe): the container's console follows
   * them (pty-resize.ts says who sets which terminal).
   */
  readonly onResize?: (listener: (size: TerminalSize) => void) => () => void;
}

export interface RunImageResult {
  readonly id: string;
  readonly exitCode: number;
  readonly aborted: boolean;
}

async function resolveStored(store: Store, ref: string): Promise<ResolvedImage> {
  try {
    return await store.resolve(ref);
  } catch (error) {
    if (error instanceof ImageNotFoundError) throw new ContainerError(missingImageMessage(ref), 125);
    throw error;
  }
}

function layersOf(image: ResolvedImage): LayerRef[] {
  const diffIds = image.config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== image.manifest.layers.length) {
    throw new ContainerError(`image has ${image.manifest.layers.length} layers but ${diffIds.length} diff_ids`, 125);
  }
  return image.manifest.layers.map((l, i) => ({
    digest: l.digest,
    size: l.size,
    mediaType: l.mediaType,
    diffId: diffIds[i],
  }));
}

function workingDir(config: ContainerConfig, override: string | undefined): string {
  if (override !== undefined && override !== '') {
    if (!path.posix.isAbsolute(override)) {
      throw new ContainerError(`the working directory '${override}' is invalid, it needs to be an absolute path`, 125);
    }
    return path.posix.normalize(override);
  }
  return path.posix.normalize(`/${config.WorkingDir ?? ''}`);
}

export async function runImage(options: RunImageOptions): Promise<RunImageResult> {
  const { store } = options;
  const image = await resolveStored(store, options.image);
  const host = hostPlatform();
  if (!platformMatches(image.config, host)) {
    // An image of another platform runs only through an emulator (binfmt_misc); docker says so before it tries.
    const found = formatPlatform(configPlatform(image.config));
    options.onWarning?.(
      `The requested image's platform (${found}) does not match the detected host platform (${formatPlatform(host)}) and no specific platform was requested`,
    );
  }
  const config = image.config.config ?? {};
  const argv = containerArgv(config, {
    ...(options.entrypoint === undefined ? {} : { entrypoint: options.entrypoint }),
    ...(options.args === undefined ? {} : { args: options.args }),
  });
  const cwd = workingDir(config, options.workdir);
  await checkVolumeSources(options.volumes ?? []);
  // Only asked-for changes read what tsbuild may give: most runs keep Docker's defaults, or are privileged.
  const tweaked = (options.capAdd?.length ?? 0) + (options.capDrop?.length ?? 0) > 0 && options.privileged !== true;
  const capabilities = tweaked
    ? tweakCapabilities(options.capAdd ?? [], options.capDrop ?? [], privilegedCapabilities(ownBoundingSet()))
    : undefined;
  // What a tsbuild killed by SIGKILL left behind: its containers first (they hold its mounts), then its work.
  await removeStaleContainers(store.paths.snapshots, { runtime: options.runtime ?? 'runc' });
  await removeStaleWork(store);
  const lowerDirs = await lowerDirsOf(store, { layers: layersOf(image) }, true);
  const id = newContainerId();
  const hostname = options.hostname ?? id.slice(-12);
  const dir = await tempSnapshotDir(store, 'r');
  try {
    const bundleDir = path.join(dir, 'b');
    await mkdir(bundleDir);
    const mount = await mountOverlay({
      lowerDirs,
      upperDir: path.join(dir, 'u'),
      workDir: path.join(dir, 'w'),
      target: path.join(dir, 'm'),
      cwd: store.paths.snapshots,
    });
    try {
      const user = await userOf(mount.target, options.user ?? config.User ?? '');
      await makeWorkingDir(mount.target, cwd);
      const spec = createRunSpec({
        rootfs: mount.target,
        args: argv,
        env: containerEnv({
          imageEnv: config.Env ?? [],
          overrides: options.env ?? [],
          hostEnv: options.hostEnv ?? process.env,
          hostname,
          home: user.home,
          tty: options.tty !== undefined,
        }),
        cwd,
        uid: user.uid,
        gid: user.gid,
        additionalGids: user.additionalGids,
        hostname,
        network: options.network ?? 'host',
        networkFiles: await writeNetworkFiles(bundleDir, { hostname, extraHosts: options.extraHosts ?? [] }),
        ...(options.shmSize === undefined ? {} : { shmSize: options.shmSize }),
        rlimits: (options.ulimits ?? []).map((u) => ({
          type: `RLIMIT_${u.name.toUpperCase()}`,
          soft: u.soft,
          hard: u.hard,
        })),
        cgroupsPath: `tsbuild/${id}`,
        mounts: [...(options.volumes ?? []).map((v): ExtraMount => ({ type: 'bind', ...v })), ...(options.tmpfs ?? [])],
        ...(options.tty === undefined ? {} : { terminal: consoleOf(options.tty) }),
        // docker run --privileged: the host's device nodes, not the set BuildKit gives a privileged RUN step.
        ...(options.privileged === true
          ? { privileged: { capabilities: privilegedCapabilities(ownBoundingSet()), devices: hostDevices() } }
          : {}),
        ...(capabilities === undefined ? {} : { capabilities }),
        ...(options.readOnly === true ? { readonlyRoot: true } : {}),
      });
      return await startContainer(options, spec, bundleDir, id);
    } finally {
      await mount.unmount();
    }
  } finally {
    await removeContainerDir(dir);
  }
}

async function startContainer(
  options: RunImageOptions,
  spec: ReturnType<typeof createRunSpec>,
  bundleDir: string,
  id: string,
): Promise<RunImageResult> {
  try {
    return await runContainer({
      spec,
      bundleDir,
      id,
      ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
      ...(options.onStdout === undefined ? {} : { onStdout: options.onStdout }),
      ...(options.onStderr === undefined ? {} : { onStderr: options.onStderr }),
      ...(options.stdin === undefined || options.tty !== undefined ? {} : { stdin: options.stdin }),
      ...(options.tty === undefined ? {} : { terminal: options.tty.mode }),
      ...(options.tty?.onResize === undefined ? {} : { onTerminalResize: options.tty.onResize }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onRelay === undefined ? {} : { onRelay: options.onRelay }),
    });
  } catch (error) {
    if (error instanceof RuntimeError) throw new ContainerError(error.message, startFailureExitCode(error.message));
    throw error;
  }
}

/** An unknown or empty size is left to the runtime (0x0, as docker leaves it without a terminal). */
function consoleOf(tty: ContainerTty): { consoleSize?: { height: number; width: number } } {
  const size = tty.size;
  return size === undefined || size.rows <= 0 || size.cols <= 0
    ? {}
    : { consoleSize: { height: size.rows, width: size.cols } };
}

async function userOf(root: string, spec: string) {
  try {
    return await resolveProcessUser(root, spec);
  } catch (error) {
    if (error instanceof UserLookupError) throw new ContainerError(error.message, 125);
    throw error;
  }
}

/** Docker creates a missing working directory (owned by root) before it starts the process. */
async function makeWorkingDir(root: string, cwd: string): Promise<void> {
  try {
    await mkdirInRoot(root, relOf(cwd), { mode: 0o755, uid: 0, gid: 0, mtime: Math.floor(Date.now() / 1000) });
  } catch (error) {
    throw new ContainerError(`cannot create working directory ${cwd}: ${(error as Error).message}`, 125);
  }
}

/** Never deletes through a mount: a mount that cannot be released keeps its directory. */
async function removeContainerDir(dir: string): Promise<void> {
  if ((await listMountsUnder(dir)).length > 0) await cleanMountsUnder(dir);
  if ((await listMountsUnder(dir)).length > 0) return;
  await rm(dir, { recursive: true, force: true });
}
