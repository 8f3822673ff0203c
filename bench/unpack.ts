// Unpack benchmark: `tsbuild import` of the Debian bookworm rootfs tar (the layer is stored, then unpacked into a
// snapshot, as every base image pulled from a registry is) against `docker import` of the same tar, and `tar -xf`
// of it into a scratch dir as a floor, interleaved in one run (the order rotates), medians and ratios.
// Options: `npm run bench:unpack -- --help` (--baseline: another tsbuild build, e.g. main's dist/bin/tsbuild.js,
// timed alongside as `before`).
// Each run starts from an empty store; the previous run's files are deleted and written out first, then the
// disk is left `--settle` seconds (creating files right after deleting thousands is several times slower here).
// tsbuild syncs the snapshot's data before publishing it (docs/store.md); docker import and tar do not sync.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDebianTarball } from '../fixtures/debian-rootfs.js';
import { benchArgs } from './bench-args.js';
import { type BuildResult, run } from './build-builders.js';
import { median } from './build-report.js';
import { repoRoot } from './repo-root.js';

const values = benchArgs(
  'npm run bench:unpack -- [--runs 3] [--tar PATH] [--settle 5] [--skip-docker] [--baseline CLI.js]',
  {
    options: {
      runs: { type: 'string', default: '3' },
      tar: { type: 'string' },
      settle: { type: 'string', default: '5' },
      'skip-docker': { type: 'boolean', default: false },
      baseline: { type: 'string' },
    },
  },
);
const runs = Number(values.runs);
const settleSeconds = Number(values.settle);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs wants a positive integer');
if (!(settleSeconds >= 0)) throw new Error('--settle wants seconds');

const root = repoRoot();
const cli = path.join(root, 'dist/bin/tsbuild.js');
const docker = '/usr/bin/docker';
const workDir = mkdtempSync(path.join(os.tmpdir(), 'tsbuild-bench-unpack-'));
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const tarPath =
  values.tar ?? (await ensureDebianTarball(path.join(root, '.tsbuild-test/fixtures/debian-bookworm.tar')));
const dockerUp =
  !values['skip-docker'] && existsSync(docker) && spawnSync(docker, ['info'], { stdio: 'ignore' }).status === 0;
if (!values['skip-docker'] && !dockerUp) log('docker: no daemon reachable, compared with tar only');

/** Runs a command like run(), adding its CPU seconds (user + system) from /usr/bin/time. */
function timed(command: string, args: string[], env?: NodeJS.ProcessEnv): BuildResult & { cpu: number } {
  const out = path.join(workDir, 'cpu.txt');
  const result = run('/usr/bin/time', ['-f', '%U %S', '-o', out, command, ...args], env);
  const [user, system] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { ...result, cpu: user! + system! };
}

/** The previous run's files deleted and written out, then a pause, so no run pays for another's. */
function settle(): void {
  spawnSync('sync');
  spawnSync('sleep', [String(settleSeconds)]);
}

const store = path.join(workDir, 'store');
const scratch = path.join(workDir, 'tar');

/** `tsbuild import` with the CLI at `cliPath`, and the phases it traces (builds before the traces have none). */
function tsbuildImport(cliPath: string): BuildResult & { cpu: number; phases: string } {
  const result = timed(process.execPath, [cliPath, 'import', tarPath, 'bench-unpack:1'], {
    ...process.env,
    TSBUILD_ROOT: store,
    TSBUILD_TRACE: '1',
  });
  const phases = [...result.output.matchAll(/\[trace\] import (\w+) ([\d.]+)ms/g)]
    .map((m) => `${m[1]} ${(Number(m[2]) / 1000).toFixed(2)} s`)
    .join(', ');
  return { ...result, phases };
}

const tools: Record<string, () => BuildResult & { cpu?: number; phases?: string }> = {
  tsbuild: () => tsbuildImport(cli),
  ...(values.baseline !== undefined && { before: () => tsbuildImport(path.resolve(values.baseline!)) }),
  tar: () => {
    mkdirSync(scratch);
    return timed('tar', ['-xf', tarPath, '-C', scratch, '--numeric-owner', '--xattrs']);
  },
  ...(dockerUp && {
    // The daemon does the work: its CPU is not the client's, so only wall time is compared.
    docker: () => run(docker, ['import', tarPath, 'tsbuild-bench-unpack:1']),
  }),
};
const cleanUp: Record<string, () => void> = {
  tsbuild: () => rmSync(store, { recursive: true, force: true }),
  before: () => rmSync(store, { recursive: true, force: true }),
  tar: () => rmSync(scratch, { recursive: true, force: true }),
  docker: () => {
    spawnSync(docker, ['rmi', 'tsbuild-bench-unpack:1'], { stdio: 'ignore' });
  },
};

const names = Object.keys(tools);
const seconds = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
log(`tar: ${tarPath}; ${runs} runs of ${names.join(', ')}; load ${load()}`);
try {
  for (let i = 0; i < runs; i++) {
    const order = names.map((_, k) => names[(k + i) % names.length]!);
    for (const name of order) {
      cleanUp[name]!();
      settle();
      const result = tools[name]!();
      seconds.set(name, [...(seconds.get(name) ?? []), result.seconds]);
      if (result.cpu !== undefined) cpu.set(name, [...(cpu.get(name) ?? []), result.cpu]);
      const extra = [
        result.cpu === undefined ? '' : `${result.cpu.toFixed(2)} s CPU`,
        result.phases ?? '',
        `load ${load()}`,
      ].filter((s) => s !== '');
      log(`run ${i + 1} ${name}: ${result.seconds.toFixed(2)} s (${extra.join('; ')})`);
    }
  }
} finally {
  for (const name of names) cleanUp[name]!();
  rmSync(workDir, { recursive: true, force: true });
}

const med = (name: string): number => median(seconds.get(name) ?? []);
console.log('\nmedians (wall s, CPU s of the process where it does the work):');
for (const name of names) {
  const c = cpu.get(name);
  console.log(`  ${name.padEnd(8)} ${med(name).toFixed(2)} s${c ? `  ${median(c).toFixed(2)} s CPU` : ''}`);
}
if (dockerUp) console.log(`tsbuild / docker import: ${(med('tsbuild') / med('docker')).toFixed(2)}x`);
if (seconds.has('before')) console.log(`tsbuild / before:        ${(med('tsbuild') / med('before')).toFixed(2)}x`);
console.log(`tsbuild / tar -xf:       ${(med('tsbuild') / med('tar')).toFixed(2)}x`);
console.log(`load average at the end: ${load()}`);
