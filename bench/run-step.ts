// RUN step overhead benchmark (issue 6: a trivial RUN step under 60 ms). In one run, interleaved round by round,
// medians of ROUNDS samples each:
//   runc floor     `runc run` of the unpacked busybox rootfs (the base image's content) with the minimal spec of
//                  `runc spec` (read-only root) running `true`, spawned directly, its cgroup migration primed as a RUN
//                  step primes it (executor/runtime/cgroup-prime.ts): what no tsbuild change can remove
//   runc phases    the same bundle as `runc create` / `start` / wait for its process to end / `delete`
//   tsbuild spec   the same bare `runc run`, but of the spec tsbuild writes for a RUN step (its mounts, masked paths,
//                  capabilities, namespaces) over an overlay root: the part of runc's time that tsbuild's spec adds
//   runtime        tsbuild's runtime the way a RUN step calls it: network files, spec, `runContainer` over an overlay
//   RUN step       a whole `RUN true` step: in-process `build()` with --no-cache of `FROM base` + STEPS × `RUN true`
//                  minus the same build with no RUN, per step; its phases from TSBUILD_TRACE
//   crun           where crun is installed: a bare `crun run` of the same bundle, started as tsbuild starts it on
//                  this host (executor/runtime/runtime-command.ts), and the RUN step with `--runtime crun`
// The summary splits the step into the runc floor and "tsbuild overhead beyond runc" (step minus floor).
// Options: `npm run bench:run-step -- --help`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  build,
  createRunSpec,
  ensureMountPointLayer,
  mountOverlay,
  newContainerId,
  type OciSpec,
  primeCgroupMigration,
  runContainer,
  runtimeCommand,
  silentProgress,
  writeNetworkFiles,
} from '../executor/index.js';
import { ensureBusyboxRootfs } from '../fixtures/base-image.js';
import { importRootfs, Store } from '../image/index.js';
import { bareBundle, crunInstalled as hasCrun } from './bare-bundle.js';
import { benchArgs } from './bench-args.js';
import { median } from './build-report.js';
import { repoRoot } from './repo-root.js';
import { runCommand } from './run-command.js';
import { report } from './run-step-report.js';

const values = benchArgs('npm run bench:run-step -- [--rounds 15] [--steps 10] [--workdir DIR]', {
  options: {
    rounds: { type: 'string', default: '15' },
    steps: { type: 'string', default: '10' },
    workdir: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const steps = Number(values.steps);
if (!Number.isInteger(rounds) || rounds < 10) throw new Error('--rounds wants an integer >= 10 (medians of >= 10)');
if (!Number.isInteger(steps) || steps < 1) throw new Error('--steps wants a positive integer');
if (process.getuid?.() !== 0) throw new Error('run as root: overlay mounts and runc need it');

// A short path (overlay option strings are page-limited); /tmp is on the ext4 root disk here.
const workDir = values.workdir ?? mkdtempSync(path.join(os.tmpdir(), 'tsb-rs-'));
mkdirSync(workDir, { recursive: true });
const stateRoot = path.join(workDir, 'runc-state');
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Wall time and CPU time (ms): this process's threads plus every child it waited for (runc, mount …). */
interface Cost {
  readonly wall: number;
  readonly cpu: number;
}

/** utime + stime (+ cutime + cstime: children it waited for) of a process, in ms; 0 once it is gone. */
function processCpu(pid: number | 'self', withChildren: boolean): number {
  const stat = readIfExists(`/proc/${pid}/stat`);
  if (stat === undefined) return 0;
  // After "pid (comm) " come the fields from 3 on: utime is field 14, stime 15, cutime 16, cstime 17.
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return (f[11] + f[12] + (withChildren ? f[13] + f[14] : 0)) * 10;
}

/**
 * CPU time so far: this process, the children it waited for (runc, mount …) and its live children with
 * theirs (the launcher shell, which starts mount and runc for tsbuild).
 */
function cpuNow(): number {
  const own = process.cpuUsage();
  const children = (readIfExists(`/proc/${process.pid}/task/${process.pid}/children`) ?? '').split(' ');
  const live = children.filter((pid) => pid !== '').reduce((sum, pid) => sum + processCpu(Number(pid), true), 0);
  return (own.user + own.system) / 1000 + (processCpu('self', true) - processCpu('self', false)) + live;
}

async function timed(fn: () => Promise<unknown>): Promise<Cost> {
  const t0 = performance.now();
  const c0 = cpuNow();
  await fn();
  return { wall: performance.now() - t0, cpu: cpuNow() - c0 };
}

const runc = (...args: string[]) => runCommand('runc', ['--root', stateRoot, ...args]);

/**
 * `run` with the runtime's cgroup migration primed as a RUN step primes it (executor/runtime/cgroup-prime.ts): the
 * grace period its first migration would wait for is no part of the floor, since tsbuild does not pay it.
 */
function primed<T>(run: () => Promise<T>): Promise<T> {
  void primeCgroupMigration();
  return run();
}

const crunInstalled = hasCrun();
const crunStateRoot = path.join(workDir, 'crun-state');

async function bareCrunRun(bundle: string): Promise<Cost> {
  const { command, args } = runtimeCommand('crun', [
    '--root',
    crunStateRoot,
    'run',
    '--bundle',
    bundle,
    newContainerId(),
  ]);
  return timed(() => primed(() => runCommand(command, args)));
}

async function bareRun(bundle: string): Promise<Cost> {
  return timed(() => primed(() => runc('run', '--bundle', bundle, newContainerId())));
}

/** create / start / wait (poll `runc state` until stopped) / delete of the bare bundle. */
async function bareRunPhases(bundle: string): Promise<Record<string, Cost>> {
  const id = newContainerId();
  const create = await timed(() => primed(() => runc('create', '--bundle', bundle, id)));
  const state = spawnSync('runc', ['--root', stateRoot, 'state', id], { encoding: 'utf8' });
  const pid = (JSON.parse(state.stdout) as { pid: number }).pid;
  const start = await timed(() => runc('start', id));
  // Until the container's process is gone or a zombie (it is not our child, so its status is not ours to wait for).
  const wait = await timed(async () => {
    while (!/^\d+ \(.*\) Z/.test(readIfExists(`/proc/${pid}/stat`) ?? '0 () Z')) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
  const remove = await timed(() => runc('delete', id));
  return { create, start, wait, delete: remove };
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The spec tsbuild writes for `RUN true` over `root`, its network files in `bundleDir`. */
async function stepSpec(root: string, bundleDir: string, id: string): Promise<OciSpec> {
  mkdirSync(bundleDir, { recursive: true });
  const networkFiles = await writeNetworkFiles(bundleDir, { hostname: 'buildkitsandbox' });
  return createRunSpec({
    rootfs: root,
    args: ['true'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'],
    cwd: '/',
    uid: 0,
    gid: 0,
    additionalGids: [0, 10],
    hostname: 'buildkitsandbox',
    network: 'host',
    networkFiles,
    cgroupsPath: `tsbuild/${id}`,
  });
}

/** What a RUN step does around runc, over an already mounted overlay root. */
async function runtimeRun(root: string): Promise<Cost> {
  return timed(async () => {
    const id = newContainerId();
    const bundleDir = path.join(workDir, 'rt', id);
    const spec = await stepSpec(root, bundleDir, id);
    const result = await runContainer({ spec, bundleDir, id, stateRoot });
    if (result.exitCode !== 0) throw new Error(`runtime: exit ${result.exitCode}`);
  });
}

/** A bundle of tsbuild's spec for `RUN true` over `root`, run like the bare one (only the cgroup differs per run). */
async function stepSpecBundle(root: string): Promise<(id: string) => void> {
  const bundleDir = path.join(workDir, 'spec');
  const spec = await stepSpec(root, bundleDir, 'x');
  return (id) =>
    writeFileSync(
      path.join(bundleDir, 'config.json'),
      JSON.stringify({ ...spec, linux: { ...spec.linux, cgroupsPath: `tsbuild/${id}` } }),
    );
}

async function specRun(prepare: (id: string) => void): Promise<Cost> {
  const id = newContainerId();
  prepare(id);
  return timed(() => primed(() => runc('run', '--bundle', path.join(workDir, 'spec'), id)));
}

/** `[trace] PHASE 12.3ms` lines written to stderr while `fn` runs, summed per phase. */
async function withTrace<T>(fn: () => Promise<T>): Promise<{ value: T; phases: Map<string, number> }> {
  const phases = new Map<string, number>();
  const write = process.stderr.write.bind(process.stderr);
  const previous = process.env.TSBUILD_TRACE;
  process.env.TSBUILD_TRACE = '1';
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const lines = [...text.matchAll(/^\[trace\] (\S+) ([\d.]+)ms$/gm)];
    for (const m of lines) phases.set(m[1], (phases.get(m[1]) ?? 0) + Number(m[2]));
    return lines.length > 0 ? true : write(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    return { value: await fn(), phases };
  } finally {
    process.stderr.write = write;
    if (previous === undefined) delete process.env.TSBUILD_TRACE;
    else process.env.TSBUILD_TRACE = previous;
  }
}

async function main(): Promise<void> {
  log(`[setup] busybox rootfs and base image in ${workDir}`);
  const rootfs = await ensureBusyboxRootfs(path.join(repoRoot(), '.tsbuild-test/fixtures/busybox'));
  const baseTar = path.join(workDir, 'base.tar');
  const tar = spawnSync('tar', ['-C', rootfs, '--numeric-owner', '--sort=name', '-cf', baseTar, '.']);
  if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
  const store = await Store.open(path.join(workDir, 'store'));
  await importRootfs(store, baseTar, 'base');
  const contexts = [0, steps].map((n) => {
    const dir = path.join(workDir, `ctx${n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM base\n${'RUN true\n'.repeat(n)}`);
    return dir;
  });
  const buildOnce = (contextDir: string, runtime = 'runc') =>
    withTrace(() =>
      timed(() => build({ store, contextDir, noCache: true, progress: silentProgress, tags: ['bench:run'], runtime })),
    );
  // Warm-up: the base snapshot gets extracted, caches fill.
  for (const dir of contexts) await buildOnce(dir);
  if (crunInstalled) await buildOnce(contexts[1], 'crun');

  const bundle = bareBundle(path.join(workDir, 'bare'), rootfs, ['true'], true);
  const overlayDir = path.join(workDir, 'ov');
  const mp = await ensureMountPointLayer(path.join(workDir, 'mp'));
  const mount = await mountOverlay({
    lowerDirs: [rootfs, mp],
    upperDir: path.join(overlayDir, 'u'),
    workDir: path.join(overlayDir, 'w'),
    target: path.join(overlayDir, 'm'),
  });
  const samples = new Map<string, number[]>();
  const add = (name: string, ms: number) => samples.set(name, [...(samples.get(name) ?? []), ms]);
  const addCost = (name: string, cost: Cost) => {
    add(name, cost.wall);
    add(`${name} cpu`, cost.cpu);
  };
  try {
    const specBundle = await stepSpecBundle(mount.target);
    await bareRun(bundle);
    await specRun(specBundle);
    await runtimeRun(mount.target);
    for (let r = 1; r <= rounds; r++) {
      addCost('bare', await bareRun(bundle));
      for (const [phase, cost] of Object.entries(await bareRunPhases(bundle))) addCost(`runc ${phase}`, cost);
      addCost('spec', await specRun(specBundle));
      addCost('runtime', await runtimeRun(mount.target));
      const none = await buildOnce(contexts[0]);
      const many = await buildOnce(contexts[1]);
      addCost('build 0', none.value);
      addCost('build n', many.value);
      addCost('step', {
        wall: (many.value.wall - none.value.wall) / steps,
        cpu: (many.value.cpu - none.value.cpu) / steps,
      });
      for (const [phase, ms] of many.phases) add(`phase ${phase}`, ms / steps);
      if (crunInstalled) {
        addCost('crun bare', await bareCrunRun(bundle));
        const crunNone = await buildOnce(contexts[0], 'crun');
        const crunMany = await buildOnce(contexts[1], 'crun');
        addCost('crun step', {
          wall: (crunMany.value.wall - crunNone.value.wall) / steps,
          cpu: (crunMany.value.cpu - crunNone.value.cpu) / steps,
        });
      }
      const bare = median(samples.get('bare') ?? []);
      log(
        `[round ${r}/${rounds}] bare runc ${bare.toFixed(1)} ms, RUN step ${median(samples.get('step') ?? []).toFixed(1)} ms`,
      );
    }
  } finally {
    await mount.unmount();
  }
  report(samples, { rounds, steps, crun: crunInstalled });
}

try {
  await main();
} finally {
  if (values.workdir === undefined) rmSync(workDir, { recursive: true, force: true });
}
