// RUN: the command runs through the OCI runtime in the step's overlay root, as the stage's user, with its env,
// working directory, network and mounts, and the build's extra hosts, /dev/shm size and ulimits. Output streams to
// `onOutput`; a non-zero exit fails the step with BuildKit's message and the last lines of output.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { warmPooledBuffer } from '../../image/index.js';
import type { StepOperation } from '../../planner/index.js';
import { storedNetworkFiles } from '../runtime/network-files.js';
import { hostPrivileges } from '../runtime/privileged.js';
import { newContainerId, runContainer } from '../runtime/runc.js';
import { containerPath, createRunSpec, type ExtraMount, mountStubPaths, type NetworkFiles } from '../runtime/spec.js';
import { mkdirInRoot, relOf } from './copy-write.js';
import { insecureNotAllowed } from './entitlements.js';
import type { StepWorkspace } from './fs-step.js';
import { phaseTimer } from './phase-timer.js';
import { prepareMounts, withMountEnv } from './run-mounts.js';
import type { StepEnv } from './step-env.js';
import { resolveProcessUser } from './users.js';

type RunOperation = Extract<StepOperation, { type: 'run' }>;

export class RunFailedError extends Error {
  readonly code = 'E_RUN_FAILED';
  constructor(
    message: string,
    readonly exitCode: number,
    readonly outputTail: readonly string[],
  ) {
    super(message);
    this.name = 'RunFailedError';
  }
}

const tailLines = 10;

/** The /etc/hosts, resolv.conf and hostname files a RUN step binds, stored once per content (network-files.ts). */
export function runNetworkFiles(env: StepEnv, op: Pick<RunOperation, 'extraHosts'>): Promise<NetworkFiles> {
  return storedNetworkFiles(
    { hostname: env.hostname, extraHosts: op.extraHosts ?? [] },
    path.join(env.store.paths.cache, 'network'),
  );
}

/** Runs the command; returns the mount points the runtime may have created (left out of the layer). */
export async function performRun(
  env: StepEnv,
  op: RunOperation,
  ws: StepWorkspace,
  onOutput: (chunk: Buffer, stream: 'stdout' | 'stderr') => void,
): Promise<string[]> {
  // The build refused such a step before it started (unrunnable-steps.ts); checked again where it would run.
  if (op.security === 'insecure' && env.allowInsecure !== true) throw new Error(insecureNotAllowed);
  const trace = phaseTimer();
  const cwd = op.workdir === '' ? '/' : op.workdir;
  const bundleDir = path.join(ws.scratch, 'bundle');
  // The root and the network files are independent: their file operations overlap on libuv's pool.
  const [user, networkFiles] = await settledInOrder(
    (async () => {
      const found = await resolveProcessUser(ws.root, op.user);
      await mkdirInRoot(ws.root, relOf(cwd), { mode: 0o755, uid: 0, gid: 0, mtime: env.now });
      return found;
    })(),
    runNetworkFiles(env, op),
  );
  const prepared = await prepareMounts(env, op.mounts, ws.scratch);
  trace('work.prepare');
  try {
    const mounts: ExtraMount[] = [...prepared.mounts, ...(await heredocFiles(op, ws.scratch))];
    const id = newContainerId();
    const spec = createRunSpec({
      rootfs: ws.root,
      args: op.argv,
      env: withHome(withMountEnv([...op.env, ...bothSpellings(op.proxyEnv)], prepared), user.home),
      cwd,
      uid: user.uid,
      gid: user.gid,
      additionalGids: user.additionalGids,
      hostname: env.hostname,
      network: op.network === 'none' ? 'none' : 'host',
      networkFiles,
      mounts,
      ...(op.shmSize === undefined ? {} : { shmSize: op.shmSize }),
      rlimits: (op.ulimits ?? []).map((u) => ({ type: `RLIMIT_${u.name.toUpperCase()}`, soft: u.soft, hard: u.hard })),
      cgroupsPath: `tsbuild/${id}`,
      ...(op.security === 'insecure' ? { privileged: hostPrivileges() } : {}),
    });
    await makeMountParents(ws.root, mounts, mountStubPaths(spec), env.now);
    trace('work.spec');
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-8192);
    };
    const stopWarming = warmPoolMeanwhile();
    const stopWriteBehind = ws.writeBehind?.();
    const result = await runContainer({
      spec,
      bundleDir,
      id,
      runtime: env.runtime,
      onStdout: (chunk) => {
        keep(chunk);
        onOutput(chunk, 'stdout');
      },
      onStderr: (chunk) => {
        keep(chunk);
        onOutput(chunk, 'stderr');
      },
      ...(env.signal === undefined ? {} : { signal: env.signal }),
      onStarted: () => {
        ws.runtimeStarted?.();
        env.onContainerStarted?.();
      },
    }).finally(() => {
      stopWarming();
      stopWriteBehind?.();
    });
    trace('work.runc');
    if (result.exitCode !== 0) {
      const lines = tail
        .split('\n')
        .filter((l) => l !== '')
        .slice(-tailLines);
      throw new RunFailedError(
        `process "${op.argv.join(' ')}" did not complete successfully: exit code: ${result.exitCode}`,
        result.exitCode,
        lines,
      );
    }
    return mountStubPaths(spec);
  } finally {
    await prepared.release();
  }
}

/** Both results; when both fail, the first one's error (so the message never depends on timing). */
async function settledInOrder<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** Proxy variables reach RUN in both spellings (`http_proxy` is also `HTTP_PROXY`), as in BuildKit. */
function bothSpellings(proxyEnv: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const entry of proxyEnv) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    out.set(key, value);
    for (const alt of [key.toLowerCase(), key.toUpperCase()]) if (!out.has(alt)) out.set(alt, value);
  }
  return [...out].map(([k, v]) => `${k}=${v}`);
}

/** Like BuildKit, a process without HOME in its env gets the user's home directory. */
function withHome(envList: readonly string[], home: string): string[] {
  return envList.some((e) => e.startsWith('HOME=')) ? [...envList] : [...envList, `HOME=${home || '/'}`];
}

/**
 * Creates the parent directory of each RUN mount's target in the rootfs, resolving symlinks inside it, as
 * runc itself does for a missing mount point: crun 1.8 refuses a target whose path goes through a symlink to
 * something missing (a step may plant `/to-dir -> /somewhere`), runc creates `/somewhere` in the rootfs. The
 * target itself is left to the runtime. Targets inside another mount (heredocs under /dev) touch no rootfs.
 */
async function makeMountParents(
  root: string,
  mounts: readonly ExtraMount[],
  onRootfs: readonly string[],
  now: number,
): Promise<void> {
  const targets = new Set(onRootfs);
  for (const mount of mounts) {
    const destination = containerPath(mount.target);
    if (!targets.has(destination)) continue;
    await mkdirInRoot(root, relOf(path.posix.dirname(destination)), { mode: 0o755, uid: 0, gid: 0, mtime: now });
  }
}

/** Heredoc scripts with a shebang are files bound read-only at their path (never part of a layer). */
async function heredocFiles(op: RunOperation, scratch: string): Promise<ExtraMount[]> {
  const mounts: ExtraMount[] = [];
  for (const [i, file] of op.files.entries()) {
    const source = path.join(scratch, `heredoc${i}`);
    await writeFile(source, file.content, { mode: file.mode });
    mounts.push({ type: 'bind', source, target: file.path, readonly: true });
  }
  return mounts;
}

/** Buffers a layer commit takes from the pool at once: two for the blob writer's batches, two for reading a file. */
const commitBuffers = 4;

/**
 * While the container runs, the pool's buffers are faulted in (image/store/buffer-pool.ts), one per timer turn, for
 * the layer commit that follows: main-thread time that otherwise only waits for runc (86 ms at least here). Returns
 * the function that stops it.
 */
function warmPoolMeanwhile(): () => void {
  const warm = () => {
    timer = warmPooledBuffer(commitBuffers) ? setTimeout(warm, 1) : undefined;
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(warm, 10);
  return () => clearTimeout(timer);
}
