// Registry benchmark (issue 7): a large image of incompressible layers pushed to and pulled from a loopback
// docker-registry by tsbuild and by skopeo in the same run (medians, ratios; goal ≤ 1.0×), and the multistage
// scenario built on an empty store with `--cache-from type=registry` against a no-op rebuild with a warm local
// cache (goal ≤ 2×, no step run). Options: `npm run bench:registry -- --help`. Each push goes to a fresh registry,
// so nothing is already there to skip. Pulls also report CPU seconds (user + system, from /usr/bin/time): the
// registry shares the 2 cores, so on a busy machine CPU is the steadier comparison.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../image/index.js';
import { benchArgs } from './bench-args.js';
import { type BuildResult, run } from './build-builders.js';
import { median } from './build-report.js';
import { makeBigImage, startRegistry } from './registry-setup.js';
import { repoRoot } from './repo-root.js';

const values = benchArgs(
  'npm run bench:registry -- [--runs 3] [--size-mb 500] [--layers 5] [--skip-transfer] [--skip-push] [--skip-cache] [--workdir DIR]',
  {
    options: {
      runs: { type: 'string', default: '3' },
      'size-mb': { type: 'string', default: '500' },
      layers: { type: 'string', default: '5' },
      'skip-transfer': { type: 'boolean', default: false },
      'skip-push': { type: 'boolean', default: false },
      'skip-cache': { type: 'boolean', default: false },
      workdir: { type: 'string' },
    },
  },
);
const runs = Number(values.runs);
const layers = Number(values.layers);
const sizeBytes = Number(values['size-mb']) * 1024 * 1024;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs wants a positive integer');

const root = repoRoot();
const cli = path.join(root, 'dist/bin/tsbuild.js');
const workDir = values.workdir ?? mkdtempSync(path.join(os.tmpdir(), 'tsbuild-bench-registry-'));
mkdirSync(workDir, { recursive: true });
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const tsbuild = (args: string[], store: string): BuildResult =>
  run(process.execPath, [cli, ...args], { ...process.env, TSBUILD_ROOT: store });
const timeTool = '/usr/bin/time';

/** Runs a command like run(), adding its CPU seconds (user + system) when /usr/bin/time is there. */
function runWithCpu(command: string, args: string[], env?: NodeJS.ProcessEnv): BuildResult & { cpu?: number } {
  if (!existsSync(timeTool)) return run(command, args, env);
  const out = path.join(workDir, 'cpu.txt');
  const result = run(timeTool, ['-f', '%U %S', '-o', out, command, ...args], env);
  const [user, system] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { ...result, cpu: user! + system! };
}

/** Dirty pages of the previous run are written out first, so no run pays for another's writes. */
const settle = (): void => {
  spawnSync('sync');
};

type Samples = Map<string, number[]>;
const add = (samples: Samples, key: string, seconds: number): void => {
  samples.set(key, [...(samples.get(key) ?? []), seconds]);
};

async function benchTransfer(samples: Samples): Promise<void> {
  const source = path.join(workDir, 'src-store');
  const ociSource = path.join(workDir, 'src-oci');
  log(`making a ${values['size-mb']} MB image of ${layers} random layers`);
  const big = await makeBigImage(source, ociSource, layers, Math.floor(sizeBytes / layers));
  const store = await Store.open(source);
  const manifest = (await store.resolve(big.tag)).manifestDigest;
  log(`image: ${(big.bytes / 1024 / 1024).toFixed(0)} MiB compressed`);

  for (let i = 1; i <= (values['skip-push'] ? 0 : runs); i++) {
    // Alternate who goes first, so neither always meets the cooler page cache.
    const order = i % 2 === 1 ? ['tsbuild', 'skopeo'] : ['skopeo', 'tsbuild'];
    for (const tool of order) {
      const registry = await startRegistry(path.join(workDir, 'registry-push'));
      const name = `${registry.host}/bench/big:1`;
      try {
        settle();
        let result: BuildResult;
        if (tool === 'tsbuild') {
          await store.tag(name, manifest);
          result = tsbuild(['push', '-q', name], source);
        } else {
          result = run('skopeo', ['copy', '-q', '--dest-tls-verify=false', big.ociRef, `docker://${name}`]);
        }
        add(samples, `push ${tool}`, result.seconds);
        log(`push run ${i} ${tool}: ${result.seconds.toFixed(2)} s`);
      } finally {
        registry.stop();
      }
    }
  }

  // Process start-up is part of both tools' times; printed so a ratio can be read net of it.
  for (let i = 1; i <= runs; i++) {
    add(samples, 'start tsbuild', tsbuild(['--version'], source).seconds);
    add(samples, 'start skopeo', run('skopeo', ['--version']).seconds);
  }

  const registry = await startRegistry(path.join(workDir, 'registry-pull'));
  const name = `${registry.host}/bench/big:1`;
  try {
    await store.tag(name, manifest);
    tsbuild(['push', '-q', name], source);
    for (let i = 1; i <= runs; i++) {
      const order = i % 2 === 1 ? ['tsbuild', 'skopeo'] : ['skopeo', 'tsbuild'];
      for (const tool of order) {
        const dest = path.join(workDir, `pull-${tool}`);
        rmSync(dest, { recursive: true, force: true });
        settle();
        const result =
          tool === 'tsbuild'
            ? runWithCpu(process.execPath, [cli, 'pull', '-q', name], { ...process.env, TSBUILD_ROOT: dest })
            : runWithCpu('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${name}`, `oci:${dest}:big`]);
        add(samples, `pull ${tool}`, result.seconds);
        if (result.cpu !== undefined) add(samples, `pull cpu ${tool}`, result.cpu);
        const cpu = result.cpu === undefined ? '' : `, ${result.cpu.toFixed(2)} s CPU`;
        log(`pull run ${i} ${tool}: ${result.seconds.toFixed(2)} s${cpu}`);
        rmSync(dest, { recursive: true, force: true });
      }
    }
  } finally {
    registry.stop();
  }
}

/** Step vertices (not FROM, not [internal]) of a plain progress log that ran instead of ending CACHED. */
export function stepsRun(output: string): string[] {
  const names = new Map<string, string>();
  const cached = new Set<string>();
  for (const line of output.split('\n')) {
    const named = /^#(\d+) (\[.*)$/.exec(line);
    if (named && !names.has(named[1]!) && !named[2]!.startsWith('[internal]') && !/^\[[^\]]*\] FROM /.test(named[2]!)) {
      names.set(named[1]!, named[2]!);
    }
    if (/^#(\d+) CACHED$/.test(line)) cached.add(line.split(' ')[0]!.slice(1));
  }
  return [...names].filter(([id]) => !cached.has(id)).map(([, name]) => name);
}

async function benchCache(samples: Samples): Promise<void> {
  const scenario = path.resolve(root, '../shared/bench/scenarios/multistage');
  const context = path.join(workDir, 'ctx-multistage');
  run('bash', [path.join(scenario, 'gen-context.sh'), context]);
  const baseTar = path.join(workDir, 'base.tar');
  run(process.execPath, [path.join(root, 'dist/fixtures/make-base-image.js'), baseTar, path.join(workDir, 'rootfs')]);
  const registry = await startRegistry(path.join(workDir, 'registry-cache'));
  const cacheRef = `${registry.host}/bench/cache:multistage`;
  const warm = path.join(workDir, 'warm-store');
  try {
    tsbuild(['import', baseTar, 'base'], warm);
    // The empty stores get this very image (an import would stamp a new creation time, a new digest, new keys).
    const baseImage = path.join(workDir, 'base-image.tar');
    tsbuild(['save', '--format', 'oci', 'base', '-o', baseImage], warm);
    const first = tsbuild(
      [
        'build',
        '--progress',
        'plain',
        '-t',
        'bench:1',
        '--cache-to',
        `type=registry,ref=${cacheRef},mode=max`,
        context,
      ],
      warm,
    );
    log(`cache export build: ${first.seconds.toFixed(2)} s, ${stepsRun(first.output).length} steps run`);
    for (let i = 1; i <= runs; i++) {
      const local = tsbuild(['build', '--progress', 'plain', '-t', 'bench:1', context], warm);
      add(samples, 'cache warm-local', local.seconds);
      const cold = path.join(workDir, 'cold-store');
      rmSync(cold, { recursive: true, force: true });
      tsbuild(['load', '-q', '-i', baseImage], cold);
      settle();
      const remote = tsbuild(
        ['build', '--progress', 'plain', '-t', 'bench:1', '--cache-from', `type=registry,ref=${cacheRef}`, context],
        cold,
      );
      add(samples, 'cache from-registry', remote.seconds);
      const ran = stepsRun(remote.output);
      add(samples, 'cache steps-run', ran.length);
      log(
        `cache run ${i}: warm local ${local.seconds.toFixed(2)} s, empty store + registry cache ` +
          `${remote.seconds.toFixed(2)} s, steps run: ${ran.length}${ran.length > 0 ? ` (${ran.join('; ')})` : ''}`,
      );
      rmSync(cold, { recursive: true, force: true });
    }
  } finally {
    registry.stop();
    rmSync(warm, { recursive: true, force: true });
  }
}

function report(samples: Samples): void {
  const m = (key: string): number | undefined => {
    const xs = samples.get(key);
    return xs === undefined ? undefined : median(xs);
  };
  const line = (label: string, ours: string, peer: string, goal: number): void => {
    const a = m(ours);
    const b = m(peer);
    if (a === undefined || b === undefined) return;
    const ratio = a / b;
    const goalText = Number.isFinite(goal) ? ` (goal ≤ ${goal}×, ${ratio <= goal ? 'ok' : 'OVER'})` : '';
    console.log(
      `${label.padEnd(38)} ${a.toFixed(2).padStart(7)} s vs ${b.toFixed(2).padStart(7)} s  ${ratio.toFixed(2)}×${goalText}`,
    );
  };
  console.log(`registry benchmark, medians of ${runs} runs`);
  line('push: tsbuild vs skopeo', 'push tsbuild', 'push skopeo', 1);
  line('pull: tsbuild vs skopeo', 'pull tsbuild', 'pull skopeo', 1);
  line('pull CPU (user+sys): tsbuild vs skopeo', 'pull cpu tsbuild', 'pull cpu skopeo', Number.POSITIVE_INFINITY);
  line('start-up: tsbuild vs skopeo --version', 'start tsbuild', 'start skopeo', Number.POSITIVE_INFINITY);
  line('multistage: registry cache vs local', 'cache from-registry', 'cache warm-local', 2);
  const steps = samples.get('cache steps-run');
  if (steps !== undefined) console.log(`multistage with --cache-from: steps run per build: ${steps.join(', ')}`);
}

const samples: Samples = new Map();
try {
  if (!values['skip-transfer']) await benchTransfer(samples);
  if (!values['skip-cache']) await benchCache(samples);
  report(samples);
} finally {
  if (values.workdir === undefined) rmSync(workDir, { recursive: true, force: true });
}
