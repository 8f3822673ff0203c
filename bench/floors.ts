// What this machine allows at best, measured, for the goals of issue 6 that are ratios to docker's times: the parts of
// a build no builder can remove, timed without tsbuild. Prints medians of ROUNDS samples:
//   node start     `node -e 0`: every tsbuild command starts a Node process (docker's client is a Go binary)
//   runc run       `runc run` of the busybox base rootfs with `runc spec`'s own config running `true`, its cgroup
//                  migration primed as tsbuild primes it: the runtime start that issue 6's "RUN step overhead under
//                  60 ms" includes
//   crun run       the same with crun, where installed, started as tsbuild starts it (runtime-command.ts)
//   bigfile RUN    bigfile's RUN command (`head -c 524288000 /dev/urandom > /big.bin`, busybox's head) in the same bare
//                  container over a writable copy of the rootfs: the work of that step, the same for every builder
//   500 MB durable writing 500 MB to a new file in 1 MiB writes from one reused buffer, then fsync: the least it
//                  costs to store that step's layer (the blob) so that a crash cannot lose it
// and the floors they add up to: bigfile's cold build >= node start + runc run + bigfile RUN + 500 MB durable.
// Options: `npm run bench:floors -- --help`.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newContainerId, primeCgroupMigration, runtimeCommand } from '../executor/index.js';
import { ensureBusyboxRootfs } from '../fixtures/base-image.js';
import { bareBundle, crunInstalled as hasCrun } from './bare-bundle.js';
import { benchArgs } from './bench-args.js';
import { median } from './build-report.js';
import { repoRoot } from './repo-root.js';
import { runCommand } from './run-command.js';

const values = benchArgs('npm run bench:floors -- [--rounds 5] [--workdir DIR]', {
  options: { rounds: { type: 'string', default: '5' }, workdir: { type: 'string' } },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 3) throw new Error('--rounds wants an integer >= 3');
if (process.getuid?.() !== 0) throw new Error('run as root: runc needs it');
const workDir = values.workdir ?? mkdtempSync(path.join(os.tmpdir(), 'tsb-floors-'));
mkdirSync(workDir, { recursive: true });
const stateRoot = path.join(workDir, 'runc-state');
const bigfileBytes = 524_288_000;

/** Wall time (ms) of a command run to completion. */
async function timedCommand(command: string, args: readonly string[]): Promise<number> {
  const t0 = performance.now();
  await runCommand(command, args);
  return performance.now() - t0;
}

// Primed as a RUN step primes it (executor/runtime/cgroup-prime.ts): the grace period is no floor.
const runcRun = (dir: string) => {
  void primeCgroupMigration();
  return timedCommand('runc', ['--root', stateRoot, 'run', '--bundle', dir, newContainerId()]);
};

/** crun, where installed: run as tsbuild runs it on this host (through the namespace script on a hybrid host). */
const crunInstalled = hasCrun();
const crunRun = (dir: string) => {
  const { command, args } = runtimeCommand('crun', [
    '--root',
    `${stateRoot}-crun`,
    'run',
    '--bundle',
    dir,
    newContainerId(),
  ]);
  void primeCgroupMigration();
  return timedCommand(command, args);
};

async function durableWrite(file: string, bytes: number): Promise<number> {
  const buffer = Buffer.alloc(1 << 20, 7);
  const t0 = performance.now();
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < bytes; written += buffer.length) {
      await handle.write(buffer, 0, Math.min(buffer.length, bytes - written));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const elapsed = performance.now() - t0;
  await rm(file);
  return elapsed;
}

const rootfs = await ensureBusyboxRootfs(path.join(repoRoot(), '.tsbuild-test/fixtures/busybox'));
const writable = path.join(workDir, 'rootfs');
cpSync(rootfs, writable, { recursive: true, verbatimSymlinks: true });
const trueBundle = bareBundle(path.join(workDir, 'true'), rootfs, ['true'], true);
const bigBundle = bareBundle(
  path.join(workDir, 'bigfile'),
  writable,
  ['sh', '-c', `head -c ${bigfileBytes} /dev/urandom > /big.bin`],
  false,
);
const samples: Record<string, number[]> = { node: [], runc: [], crun: [], bigfile: [], durable: [] };
for (let round = 1; round <= rounds; round++) {
  samples.node?.push(await timedCommand(process.execPath, ['-e', '0']));
  samples.runc?.push(await runcRun(trueBundle));
  if (crunInstalled) samples.crun?.push(await crunRun(trueBundle));
  samples.bigfile?.push(await runcRun(bigBundle));
  rmSync(path.join(writable, 'big.bin'), { force: true });
  samples.durable?.push(await durableWrite(path.join(workDir, 'big.bin'), bigfileBytes));
  process.stderr.write(`round ${round}/${rounds} done\n`);
}
rmSync(workDir, { recursive: true, force: true });

const m = (key: string) => median(samples[key] ?? []);
const ms = (value: number) => `${value.toFixed(1)} ms`;
console.log(`floors on this machine (medians of ${rounds}; load ${os.loadavg()[0]?.toFixed(2)})`);
console.log(`  node start (node -e 0)            ${ms(m('node'))}`);
console.log(
  `  runc run of busybox \`true\`        ${ms(m('runc'))}   (issue 6: a RUN step's overhead incl. this < 60 ms)`,
);
if (crunInstalled)
  console.log(`  crun run of busybox \`true\`        ${ms(m('crun'))}   (started as tsbuild starts it here)`);
console.log(`  bigfile's RUN command, bare runc  ${ms(m('bigfile'))}`);
console.log(`  500 MB written and fsynced        ${ms(m('durable'))}`);
const bigfileFloor = m('node') + m('runc') + m('bigfile') + m('durable');
console.log(`  => bigfile cold build >= ${ms(bigfileFloor)}: a 0.7x goal needs docker's cold bigfile build to take`);
console.log(`     >= ${ms(bigfileFloor / 0.7)} in the same run (bench:build prints it)`);
