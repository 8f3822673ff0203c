// Mounts a snapshot: an overlay of N read-only lower dirs plus a fresh upper and work dir. The mount
// option string is limited to one page, so the dirs are passed relative to `cwd` (the snapshots
// directory): with short snapshot ids, hundreds of layers fit where absolute paths allow a few dozen.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type LaunchOptions, launch } from '../runtime/launcher.js';
import { MNT_DETACH, SyscallError, syscallHelper, UMOUNT_NOFOLLOW } from '../runtime/syscalls.js';
import { forgetMount, rememberMount } from './mount-registry.js';

/** Runs mount/umount through the shared launcher (a fork of Node costs far more); throws its stderr on failure. */
async function run(command: string, args: readonly string[], options: LaunchOptions = {}): Promise<void> {
  const result = await launch(command, args, options);
  if (result.exitCode === 0) return;
  throw new CommandError(result.stderr || `${command} exited with status ${result.exitCode}`);
}

class CommandError extends Error {
  constructor(readonly stderr: string) {
    super(stderr);
  }
}

/** An overlay mount with `data` (relative dirs resolve against `cwd`): a system call where the helper runs. */
async function mountData(data: string, target: string, cwd: string): Promise<void> {
  const syscalls = await syscallHelper();
  if (syscalls === null) return run('mount', ['-t', 'overlay', 'overlay', '-o', data, target], { cwd });
  await syscalls.mount(cwd, 'overlay', target, 'overlay', 0, data).catch((error: unknown) => {
    throw new CommandError(describe(error, 'mount', target));
  });
}

/** Why an unmount failed: the target is no mount (any more), it is busy, or something else. */
type UnmountReason = 'not-mounted' | 'busy' | 'other';

class UnmountFailure extends Error {
  constructor(
    readonly reason: UnmountReason,
    message: string,
  ) {
    super(message);
  }
}

/** One unmount attempt: a system call where the helper runs, else umount(8); throws an UnmountFailure. */
async function umountOnce(target: string, lazy: boolean, mayBlock: boolean): Promise<void> {
  // The helper makes one call at a time: an unmount that syncs a filesystem would hold up every other mount.
  const syscalls = mayBlock ? null : await syscallHelper();
  if (syscalls === null) {
    await run('umount', lazy ? ['-l', target] : [target]).catch((error: unknown) => {
      // umount(8) says it in words only.
      const message = stderrOf(error);
      const reason = /not mounted|no mount point/i.test(message)
        ? 'not-mounted'
        : /busy/i.test(message)
          ? 'busy'
          : 'other';
      throw new UnmountFailure(reason, message);
    });
    return;
  }
  await syscalls.umount(target, UMOUNT_NOFOLLOW | (lazy ? MNT_DETACH : 0)).catch((error: unknown) => {
    const code = error instanceof SyscallError ? error.code : '';
    const reason = code === 'EINVAL' || code === 'ENOENT' ? 'not-mounted' : code === 'EBUSY' ? 'busy' : 'other';
    throw new UnmountFailure(reason, describe(error, 'umount', target));
  });
}

function describe(error: unknown, command: string, target: string): string {
  if (!(error instanceof SyscallError)) return error instanceof Error ? error.message : String(error);
  return `${command}: ${target}: ${error.code}`;
}

/** The kernel rejects mount data longer than a page. */
export const maxMountDataLength = 4095;

export interface OverlayOptions {
  /** Top-most first, as overlayfs orders them. At least one (use an empty dir for `scratch`). */
  readonly lowerDirs: readonly string[];
  /** Omit both `upperDir` and `workDir` for a read-only overlay (then give at least two lower dirs). */
  readonly upperDir?: string;
  /** An empty directory on the same filesystem as `upperDir`. */
  readonly workDir?: string;
  readonly target: string;
  /** Dirs are given to the kernel relative to this directory; defaults to their common parent. */
  readonly cwd?: string;
  /**
   * Mount with overlayfs' `volatile` option (kernel 5.10+; silently not used where the kernel refuses it): the
   * unmount then skips the sync of the whole upper filesystem, and copy-ups are not fsynced. The upper dir is
   * NOT durable afterwards: whoever keeps it must make it so (see durable-upper.ts). `OverlayMount.volatile`
   * says whether the option was in effect.
   */
  readonly volatile?: boolean;
}

export interface OverlayMount {
  readonly target: string;
  readonly upperDir: string | undefined;
  readonly lowerDirs: readonly string[];
  /** Whether the upper dir was mounted `volatile` (then its content is not synced by the unmount). */
  readonly volatile: boolean;
  /** Idempotent; falls back to a lazy unmount when the mount stays busy. */
  unmount(): Promise<void>;
}

export class MountError extends Error {
  readonly code = 'E_MOUNT';
  constructor(message: string) {
    super(message);
    this.name = 'MountError';
  }
}

/**
 * Options that make the upper dir a plain, self-contained diff: no metadata-only copy-ups, no
 * renamed-directory redirects, no inode index. The differ relies on this.
 */
const fixedOptions = ['index=off', 'metacopy=off', 'redirect_dir=off'];

const volatileOption = ',volatile';
/** Until a kernel refused it once. */
let volatileSupported = true;

export async function mountOverlay(options: OverlayOptions): Promise<OverlayMount> {
  if (options.lowerDirs.length === 0) throw new MountError('an overlay needs at least one lower dir');
  const { upperDir, workDir } = options;
  if ((upperDir === undefined) !== (workDir === undefined))
    throw new MountError('give both upperDir and workDir, or neither');
  const dirs = [...options.lowerDirs, ...(upperDir === undefined || workDir === undefined ? [] : [upperDir, workDir])];
  const cwd = path.resolve(options.cwd ?? commonParent(dirs));
  const short = (dir: string) => {
    const rel = path.relative(cwd, path.resolve(dir));
    const name = rel === '' ? '.' : rel;
    // ':' separates lower dirs and ',' options; overlayfs' escaping of them is not worth relying on.
    if (/[:,\\\n]/.test(name)) throw new MountError(`unsupported character in overlay dir: ${dir}`);
    return name;
  };
  const data = [
    `lowerdir=${options.lowerDirs.map(short).join(':')}`,
    ...(upperDir === undefined || workDir === undefined
      ? []
      : [`upperdir=${short(upperDir)}`, `workdir=${short(workDir)}`]),
    ...fixedOptions,
  ].join(',');
  if (data.length > maxMountDataLength) {
    throw new MountError(
      `overlay mount options are ${data.length} bytes, more than the kernel's ${maxMountDataLength}: ` +
        `use shorter snapshot paths (${options.lowerDirs.length} lower dirs)`,
    );
  }
  // The three dirs at once; a work dir that this call created is empty without looking.
  const [, createdWork] = await Promise.all([
    upperDir === undefined ? undefined : mkdir(upperDir, { recursive: true }),
    workDir === undefined ? undefined : mkdir(workDir, { recursive: true }),
    mkdir(options.target, { recursive: true }),
  ]);
  if (workDir !== undefined && createdWork === undefined && (await readdir(workDir)).length > 0)
    throw new MountError(`overlay work dir is not empty: ${workDir}`);

  const target = path.resolve(options.target);
  // Where the option would push the data over a page, the mount goes without it (slower, never wrong).
  let isVolatile =
    options.volatile === true &&
    upperDir !== undefined &&
    volatileSupported &&
    data.length + volatileOption.length <= maxMountDataLength;
  rememberMount(target);
  try {
    if (isVolatile) {
      // A kernel without the option (before 5.10) refuses the mount: remembered, and mounted without it.
      await mountData(`${data}${volatileOption}`, target, cwd).catch(async (error: unknown) => {
        await mountData(data, target, cwd).catch(() => {
          throw error;
        });
        volatileSupported = false;
        isVolatile = false;
      });
    } else await mountData(data, target, cwd);
  } catch (error) {
    forgetMount(target);
    throw new MountError(`cannot mount overlay at ${target}: ${stderrOf(error)}${notRootHint()}`);
  }
  let mounted = true;
  return {
    target,
    upperDir: upperDir === undefined ? undefined : path.resolve(upperDir),
    lowerDirs: options.lowerDirs.map((dir) => path.resolve(dir)),
    volatile: isVolatile,
    async unmount() {
      if (!mounted) return;
      await unmountPath(target, upperDir !== undefined && !isVolatile);
      mounted = false;
      forgetMount(target);
    },
  };
}

/**
 * Why a mount failed when tsbuild does not run as root: RUN steps, COPY --from and the other steps that mount
 * overlays need root (there is no rootless mode). Said outright, instead of leaving a bare EPERM to decode.
 */
function notRootHint(): string {
  const uid = process.getuid?.();
  return uid === undefined || uid === 0
    ? ''
    : ` (tsbuild runs as uid ${uid}: mounting overlays needs root; run it as root)`;
}

/** Runs `body` with the overlay mounted and unmounts it afterwards, also when `body` throws. */
export async function withOverlay<T>(options: OverlayOptions, body: (mount: OverlayMount) => Promise<T>): Promise<T> {
  const mount = await mountOverlay(options);
  try {
    return await body(mount);
  } finally {
    await mount.unmount();
  }
}

/**
 * `umount`, retried briefly while busy, then detached lazily so a stuck reader cannot leak it. `mayBlock`: the mount
 * may take long to unmount (an overlay with an upper dir that is not volatile syncs its whole filesystem).
 */
export async function unmountPath(target: string, mayBlock = false): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await umountOnce(target, false, mayBlock);
      return;
    } catch (error) {
      const reason = error instanceof UnmountFailure ? error.reason : 'other';
      if (reason === 'not-mounted') return;
      if (reason !== 'busy') throw new MountError(`cannot unmount ${target}: ${stderrOf(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
  }
  await umountOnce(target, true, mayBlock).catch((error: unknown) => {
    throw new MountError(`cannot unmount ${target}: ${stderrOf(error)}`);
  });
}

function commonParent(dirs: readonly string[]): string {
  const parts = dirs.map((dir) => path.resolve(dir).split(path.sep));
  const first = parts[0];
  let length = 0;
  while (length < first.length - 1 && parts.every((p) => p.length > length + 1 && p[length] === first[length]))
    length++;
  return first.slice(0, length).join(path.sep) || path.sep;
}

function stderrOf(error: unknown): string {
  const stderr = error instanceof CommandError ? error.stderr : undefined;
  if (typeof stderr === 'string' && stderr.trim() !== '') return stderr.trim();
  return error instanceof Error ? error.message : String(error);
}
