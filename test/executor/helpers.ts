// Shared set-up of the executor tests: the busybox rootfs, a scratch directory under
// .tsbuild-test/ (on the repo's filesystem, which overlayfs accepts as upper), and `runStep`, the
// reference composition of a RUN step: overlay mount → runc → diff → unmount.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRunSpec,
  diffUpperDir,
  type ExtraMount,
  ensureMountPointLayer,
  type LayerEntry,
  mountLowerView,
  mountOverlay,
  mountStubPaths,
  newContainerId,
  pruneMountStubs,
  runContainer,
  writeNetworkFiles,
} from '../../executor/index.js';
import { ensureBusyboxRootfs } from '../../fixtures/base-image.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const testRoot = path.join(repoRoot, '.tsbuild-test');

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the isolation tests cannot run here, or undefined when they can (root with runc). */
export function isolationUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: overlay mounts and runc need root';
  if (!hasCommand('runc')) return 'runc is not installed (apt-get install -y runc)';
  if (!hasCommand('getfattr')) return 'getfattr is not installed (apt-get install -y attr)';
  return undefined;
}

/** Why the crun tests cannot run here (isolation first), or undefined. CI installs crun. */
export function crunUnavailable(): string | undefined {
  return isolationUnavailable() ?? (hasCommand('crun') ? undefined : 'crun is not installed (apt-get install -y crun)');
}

export function busyboxRootfs(): Promise<string> {
  return ensureBusyboxRootfs(path.join(testRoot, 'fixtures', 'busybox'));
}

/** A fresh scratch directory with a short name (overlay option strings are page-limited). */
export async function scratchDir(): Promise<string> {
  const dir = path.join(testRoot, 'x', randomBytes(3).toString('hex'));
  await mkdir(dir, { recursive: true });
  return dir;
}

export interface StepOptions {
  readonly args: readonly string[];
  readonly hostname?: string;
  readonly network?: 'host' | 'none';
  readonly mounts?: readonly ExtraMount[];
  readonly uid?: number;
  readonly gid?: number;
  readonly additionalGids?: readonly number[];
  readonly env?: readonly string[];
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly onStarted?: () => void;
  readonly onRelay?: (relay: (signal: NodeJS.Signals) => void) => void;
  /** The container shares the host's pid namespace: its process is not a PID 1 that ignores signals it has no handler for. */
  readonly hostPid?: boolean;
}

export interface StepResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly entries: LayerEntry[];
  readonly upperDir: string;
  readonly mountTarget: string;
}

/**
 * Runs one step over `lowerDirs` (top-most first) in `dir`, with the shared mount-point layer at the
 * bottom; the upper dir stays for inspection.
 */
export async function runStep(dir: string, imageLayers: readonly string[], options: StepOptions): Promise<StepResult> {
  const lowerDirs = [...imageLayers, await ensureMountPointLayer(path.join(testRoot, 'mp'))];
  const id = newContainerId();
  const work = path.join(dir, id);
  const upperDir = path.join(work, 'u');
  const mountTarget = path.join(work, 'm');
  const bundleDir = path.join(work, 'b');
  await mkdir(bundleDir, { recursive: true });
  const hostname = options.hostname ?? 'buildkitsandbox';
  const networkFiles = await writeNetworkFiles(bundleDir, { hostname });
  const mount = await mountOverlay({ lowerDirs, upperDir, workDir: path.join(work, 'w'), target: mountTarget });
  let stdout = '';
  let stderr = '';
  try {
    const runSpec = createRunSpec({
      rootfs: mount.target,
      args: options.args,
      env: options.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: options.cwd ?? '/',
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
      additionalGids: options.additionalGids ?? [0, 10],
      hostname,
      network: options.network ?? 'host',
      networkFiles,
      mounts: options.mounts ?? [],
      cgroupsPath: `tsbuild/${id}`,
    });
    const linux = runSpec.linux;
    const spec =
      options.hostPid === true && linux !== undefined
        ? { ...runSpec, linux: { ...linux, namespaces: linux.namespaces?.filter((n) => n.type !== 'pid') } }
        : runSpec;
    const result = await runContainer({
      spec,
      bundleDir,
      id,
      onStdout: (chunk) => {
        stdout += chunk.toString();
      },
      onStderr: (chunk) => {
        stderr += chunk.toString();
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onStarted === undefined ? {} : { onStarted: options.onStarted }),
      ...(options.onRelay === undefined ? {} : { onRelay: options.onRelay }),
    });
    await mount.unmount();
    // A step that changed nothing needs no lower view (a read-only overlay mount) to be diffed.
    if ((await readdir(upperDir)).length === 0) {
      return { exitCode: result.exitCode, stdout, stderr, entries: [], upperDir, mountTarget };
    }
    const view = await mountLowerView(lowerDirs, path.join(work, 'l'));
    try {
      const mountStubs = mountStubPaths(spec);
      // Pruned first so the upper dir, if kept as a snapshot, matches its layer exactly.
      await pruneMountStubs(upperDir, { lowerRoot: view.root, mountStubs });
      const entries = await diffUpperDir(upperDir, { lowerRoot: view.root, mountStubs });
      return { exitCode: result.exitCode, stdout, stderr, entries, upperDir, mountTarget };
    } finally {
      await view.release();
    }
  } finally {
    await mount.unmount();
  }
}

export async function removeScratch(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Entries reduced to what the assertions compare. */
export function describeEntries(entries: readonly LayerEntry[]): string[] {
  return entries.map((entry) => {
    const link = entry.linkname === undefined ? '' : ` -> ${entry.linkname}`;
    return `${entry.type} ${entry.path} ${entry.mode.toString(8)} ${entry.uid}:${entry.gid}${link}`;
  });
}
