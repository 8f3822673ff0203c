// A/B of two tsbuild builds: cold builds of one scenario of /work/shared/bench by tsbuild A and tsbuild B (each a
// dist/ directory, e.g. one made by scripts/dist-at.sh from an earlier commit), in pairs whose order alternates, each
// on its own store reset as bench:build resets it. A change worth a few ms is lost in the spread of single builds on
// the project's VMs (±10 % from one minute to the next); the median of the paired differences is not.
// Options: `npm run bench:ab -- --help` (--b defaults to this dist/; --context: a directory with its Dockerfile,
// built as it is; --settle: a wait after each reset, as bench:build makes for bigctx: a cold build of tens of
// thousands of files needs 60 s there)
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs } from './bench-args.js';
import { run, sleepSeconds, TsbuildBuilder } from './build-builders.js';
import { median } from './build-report.js';
import { repoRoot } from './repo-root.js';
import { changeFileOf, changeLine } from './scenario-files.js';

const PHASES = ['cold', 'no-op', 'change'] as const;
type Phase = (typeof PHASES)[number];

const values = benchArgs(
  'npm run bench:ab -- --a DIST_A [--b DIST_B] [--scenario small | --context DIR] [--pairs 21] [--phase cold|no-op|change] [--settle SECONDS]',
  {
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      scenario: { type: 'string', default: 'small' },
      context: { type: 'string' },
      pairs: { type: 'string', default: '21' },
      phase: { type: 'string', default: 'cold' },
      settle: { type: 'string', default: '0' },
    },
  },
);
if (values.a === undefined) throw new Error('--a DIST wants the dist/ directory of the tsbuild to compare with');
const pairs = Number(values.pairs);
if (!Number.isInteger(pairs) || pairs < 3) throw new Error('--pairs wants an integer >= 3');
const phase = values.phase as Phase;
if (!PHASES.includes(phase)) throw new Error(`--phase wants one of ${PHASES.join(', ')}`);
const settleSeconds = Number(values.settle);
if (!(settleSeconds >= 0)) throw new Error('--settle wants a number of seconds');

const root = repoRoot();
const scenarioDir = path.resolve(root, '../shared/bench/scenarios', values.scenario);
const workDir = mkdtempSync(path.join(os.tmpdir(), 'tsbuild-bench-ab-'));
const cliOf = (dist: string) => path.join(path.resolve(dist), 'bin/tsbuild.js');
const dists = { A: values.a, B: values.b ?? path.join(root, 'dist') };

/**
 * What one timed build of the phase is: the resets and the builds before it are not timed. Each builder's builds keep
 * their code cache in a TMPDIR of their own, made by this run: a cache an earlier run left (of a short run, which
 * compiled less) would weigh on one side only.
 */
function timedBuild(builder: TsbuildBuilder, tmp: string, context: string, changeFile: string, i: number): number {
  const tag = `bench-ab:${phase}`;
  const env = { TMPDIR: tmp };
  builder.reset();
  sleepSeconds(settleSeconds);
  if (phase === 'cold') return builder.build(context, tag, env).seconds;
  builder.build(context, tag, env);
  if (phase === 'no-op') return builder.build(context, tag, env).seconds;
  const original = readFileSync(changeFile);
  appendFileSync(changeFile, changeLine(changeFile, i));
  try {
    return builder.build(context, tag, env).seconds;
  } finally {
    writeFileSync(changeFile, original);
  }
}

try {
  const context = path.join(workDir, 'ctx');
  if (values.context === undefined) run('bash', [path.join(scenarioDir, 'gen-context.sh'), context]);
  else cpSync(values.context, context, { recursive: true });
  const changeFile = path.join(context, values.context === undefined ? changeFileOf(scenarioDir) : 'Dockerfile');
  const baseTar = path.join(workDir, 'base.tar');
  run(process.execPath, [path.join(root, 'dist/fixtures/make-base-image.js'), baseTar, path.join(workDir, 'rootfs')]);
  const builders = {
    A: new TsbuildBuilder(cliOf(dists.A), baseTar, path.join(workDir, 'a'), 'A'),
    B: new TsbuildBuilder(cliOf(dists.B), baseTar, path.join(workDir, 'b'), 'B'),
  };
  const tmp = { A: path.join(workDir, 'a-tmp'), B: path.join(workDir, 'b-tmp') };
  for (const dir of Object.values(tmp)) mkdirSync(dir);
  // A first build of each warms what every later one finds (its code cache, the store's mount-point layer).
  for (const name of ['A', 'B'] as const) timedBuild(builders[name], tmp[name], context, changeFile, 0);
  const times = { A: [] as number[], B: [] as number[] };
  const diffs: number[] = [];
  for (let i = 1; i <= pairs; i++) {
    const order = i % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
    for (const name of order) times[name].push(timedBuild(builders[name], tmp[name], context, changeFile, i) * 1000);
    diffs.push((times.B.at(-1) as number) - (times.A.at(-1) as number));
    process.stderr.write(
      `pair ${i}/${pairs}: A ${times.A.at(-1)?.toFixed(1)} ms, B ${times.B.at(-1)?.toFixed(1)} ms\n`,
    );
  }
  const faster = diffs.filter((d) => d < 0).length;
  const what = values.context ?? values.scenario;
  console.log(`\n${what} ${phase}, ${pairs} pairs, ${os.cpus().length} CPUs, node ${process.version}`);
  console.log(`A ${dists.A}: median ${median(times.A).toFixed(1)} ms`);
  console.log(`B ${dists.B}: median ${median(times.B).toFixed(1)} ms`);
  console.log(
    `B - A, median of the paired differences: ${median(diffs).toFixed(1)} ms; B faster in ${faster}/${pairs}`,
  );
  for (const builder of Object.values(builders)) builder.dispose();
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
