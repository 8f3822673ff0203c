// Build benchmark (issue 5/6): the scenarios of /work/shared/bench (cold / no-op / one-file change) built by
// tsbuild and, when a daemon is reachable, by docker + BuildKit in the same run, plus the overhead of one RUN
// step (its options: `npm run bench:build -- --help`). Builders are interleaved run by run so that both see the
// same machine state; medians are printed. A cold build follows the removal of the images built and of the whole
// build cache, for docker and tsbuild alike (build-builders.ts); `--cold fresh` times tsbuild's cold builds on a new
// store instead.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs } from './bench-args.js';
import {
  type Builder,
  type ColdReset,
  DockerBuilder,
  dockerUnavailable,
  run,
  sleepSeconds,
  TsbuildBuilder,
} from './build-builders.js';
import { addSample, PHASES, printRunOverhead, printScenarioTable, type Samples, sampleKey } from './build-report.js';
import { repoRoot } from './repo-root.js';
import { changeFileOf, changeLine } from './scenario-files.js';

const ALL_SCENARIOS = ['small', 'bigctx', 'multistage', 'bigfile'];
/** Scenarios whose cold reset deletes tens of thousands of files: the `discard` disk is slow for a while after. */
const MANY_FILES = new Set(['bigctx']);
const RUN_STEPS = 10;
/**
 * tsbuild options per scenario. `--jobs` defaults to the CPU count (issue 6), 2 here, which runs multistage's
 * three sleeping stages as two then one; BuildKit has no such bound. The table says when these were used.
 */
const CRUN_BUILDER = 'tsbuild --runtime crun';
const TSBUILD_FLAGS: Readonly<Record<string, readonly string[]>> = { multistage: ['--jobs', '3'] };

const values = benchArgs(
  'npm run bench:build -- [--scenarios small,bigctx,multistage,bigfile] [--runs 3] [--skip-docker] [--crun] ' +
    '[--settle 20] [--cold prune|fresh] [--workdir DIR]',
  {
    options: {
      scenarios: { type: 'string', default: ALL_SCENARIOS.join(',') },
      runs: { type: 'string', default: '3' },
      'skip-docker': { type: 'boolean', default: false },
      /** Also tsbuild with `--runtime crun` (a builder of its own, in the same run). */
      crun: { type: 'boolean', default: false },
      settle: { type: 'string', default: '20' },
      cold: { type: 'string', default: 'prune' },
      workdir: { type: 'string' },
    },
  },
);
const scenarios = values.scenarios.split(',').filter((s) => s !== '');
const unknown = scenarios.filter((s) => !ALL_SCENARIOS.includes(s));
if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${ALL_SCENARIOS}`);
const runs = Number(values.runs);
const settleSeconds = Number(values.settle);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs wants a positive integer');
if (!(settleSeconds >= 0)) throw new Error('--settle wants a number of seconds');
if (values.cold !== 'prune' && values.cold !== 'fresh') throw new Error('--cold wants prune or fresh');
const coldReset: ColdReset = values.cold;
// tsbuild's builds run under this same Node. Before 22.3 there is no process.getBuiltinModule, so the bundle's lazy
// built-ins and compile cache are off and every build is ~20 % slower: numbers that say nothing about tsbuild.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 3))
  throw new Error(`run with Node >= 22.3 (package engines); this is ${process.version}`);

const root = repoRoot();
const shared = path.resolve(root, '../shared/bench/scenarios');
const cli = path.join(root, 'dist/bin/tsbuild.js'); // the bundled CLI users run (package bin)
const workDir = values.workdir ?? mkdtempSync(path.join(os.tmpdir(), 'tsbuild-bench-build-'));
mkdirSync(workDir, { recursive: true });

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function benchScenario(scenario: string, builders: readonly Builder[], samples: Samples): void {
  const context = path.join(workDir, `ctx-${scenario}`);
  log(`[${scenario}] generating the context`);
  run('bash', [path.join(shared, scenario, 'gen-context.sh'), context]);
  const settle = MANY_FILES.has(scenario) ? settleSeconds : 0;
  const changeFile = path.join(context, changeFileOf(path.join(shared, scenario)));
  // Restored after each change phase, so every run starts from the same context (regenerating bigctx would
  // delete 50k files each time and slow the disk down).
  const original = readFileSync(changeFile);
  for (let i = 1; i <= runs; i++) {
    for (const builder of builders) {
      const tag = `bench-${scenario}:latest`;
      builder.reset();
      if (settle > 0) log(`[${scenario}] letting the disk settle ${settle} s after the cold reset`);
      sleepSeconds(settle);
      const times: number[] = [];
      const flags = TSBUILD_FLAGS[scenario] ?? [];
      times.push(builder.build(context, tag, {}, flags).seconds);
      times.push(builder.build(context, tag, {}, flags).seconds);
      appendFileSync(changeFile, changeLine(changeFile, i));
      try {
        times.push(builder.build(context, tag, {}, flags).seconds);
      } finally {
        writeFileSync(changeFile, original);
      }
      PHASES.forEach((phase, p) => {
        addSample(samples, sampleKey(builder.name, scenario, phase), times[p]);
      });
      log(`[${scenario}] run ${i}/${runs} ${builder.name}: ${times.map((t) => t.toFixed(3)).join(' / ')} s`);
    }
  }
  rmSync(context, { recursive: true, force: true });
}

/** `[trace] PHASE 12.3ms` lines of TSBUILD_TRACE, summed per phase. */
function tracePhases(output: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const m of output.matchAll(/^\[trace\] (\S+) ([\d.]+)ms$/gm)) {
    sums.set(m[1], (sums.get(m[1]) ?? 0) + Number(m[2]));
  }
  return sums;
}

/** Cold builds of `FROM base` with 0 and with RUN_STEPS `RUN true` steps; returns tsbuild's traced phase times. */
function benchRunSteps(builders: readonly Builder[], samples: Samples): Map<string, number[]> {
  const contexts = [0, RUN_STEPS].map((steps) => {
    const dir = path.join(workDir, `ctx-run${steps}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM base\n${'RUN true\n'.repeat(steps)}`);
    return { steps, dir };
  });
  const phaseTimes = new Map<string, number[]>();
  for (let i = 1; i <= runs; i++) {
    for (const builder of builders) {
      for (const { steps, dir } of contexts) {
        builder.reset();
        const result = builder.build(dir, `bench-run${steps}:latest`, { TSBUILD_TRACE: '1' });
        addSample(samples, sampleKey(builder.name, 'run-steps', String(steps)), result.seconds);
        if (builder.name !== 'tsbuild' || steps === 0) continue;
        for (const [phase, ms] of tracePhases(result.output)) {
          phaseTimes.set(phase, [...(phaseTimes.get(phase) ?? []), ms / steps]);
        }
      }
    }
  }
  return phaseTimes;
}

const baseTar = path.join(workDir, 'base.tar');
run(process.execPath, [path.join(root, 'dist/fixtures/make-base-image.js'), baseTar, path.join(workDir, 'rootfs')]);
const builders: Builder[] = [new TsbuildBuilder(cli, baseTar, path.join(workDir, 'tsbuild'), 'tsbuild', [], coldReset)];
if (values.crun) {
  const dir = path.join(workDir, 'tsbuild-crun');
  builders.push(new TsbuildBuilder(cli, baseTar, dir, CRUN_BUILDER, ['--runtime', 'crun'], coldReset));
}
const whyNoDocker = values['skip-docker'] ? '--skip-docker' : dockerUnavailable();
if (whyNoDocker === undefined) builders.push(new DockerBuilder(baseTar));
else log(`docker not measured: ${whyNoDocker}`);

const samples: Samples = new Map();
try {
  for (const scenario of scenarios) benchScenario(scenario, builders, samples);
  log('[run-steps] timing cold builds with 0 and 10 `RUN true` steps');
  const phaseTimes = benchRunSteps(builders, samples);
  const runtime = spawnSync('runc', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'runc ?';
  console.log(
    `\ntsbuild build benchmark: ${runs} run(s), ${os.cpus().length} CPUs, node ${process.version}, ${runtime}`,
  );
  console.log(`docker: ${whyNoDocker === undefined ? 'measured in this run' : `not measured (${whyNoDocker})`}`);
  const reset =
    coldReset === 'prune'
      ? 'the images built and the whole build cache removed (`builder prune -af`)'
      : 'tsbuild on a new store';
  console.log(`cold builds: ${reset}\n`);
  printScenarioTable(samples, scenarios, whyNoDocker === undefined, values.crun ? [CRUN_BUILDER] : []);
  for (const scenario of scenarios) {
    const flags = TSBUILD_FLAGS[scenario];
    if (flags !== undefined) console.log(`tsbuild ${scenario} was built with ${flags.join(' ')}`);
  }
  console.log('');
  printRunOverhead(
    samples,
    builders.map((b) => b.name),
    RUN_STEPS,
    phaseTimes,
  );
} finally {
  for (const builder of builders) builder.dispose();
  if (values.workdir === undefined) rmSync(workDir, { recursive: true, force: true });
}
