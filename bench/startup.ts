// Start-up benchmark: `tsbuild parse` and `tsbuild lint` on one Dockerfile vs a bare `node -e 0`, as processes.
// Run: `npm run build && node dist/bench/startup.js [ROUNDS=40] [DOCKERFILE]`. The machine is shared and noisy,
// so the commands run interleaved (one of each per round) and medians are compared; the goal is ratio <= 1.5.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './repo-root.js';

/** The first corpus Dockerfile, a typical small multi-stage file with exec-form commands. */
function defaultDockerfile(root: string): string {
  const corpus = path.resolve(root, '../shared/corpus/dockerfiles');
  const repo = readdirSync(corpus).sort()[0];
  return path.join(corpus, repo, readdirSync(path.join(corpus, repo)).sort()[0]);
}

interface Command {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

function runOnce(c: Command): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, { stdio: ['ignore', 'ignore', 'ignore'], env: c.env ?? process.env });
  const dt = performance.now() - t0;
  // lint exits 1 when it finds something; anything else (a crash, a usage error) makes the numbers meaningless.
  if (r.status !== 0 && r.status !== 1) throw new Error(`${c.name}: exit ${r.status} ${r.signal ?? ''}`);
  return dt;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const root = repoRoot();
const rounds = Number(process.argv[2] ?? 40);
const dockerfile = process.argv[3] ?? defaultDockerfile(root);
const bundle = path.join(root, 'dist/bin/tsbuild.js');
const tscEntry = path.join(root, 'dist/cli/main.js');
const noCache = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };

const commands: Command[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'tsbuild parse', args: [bundle, 'parse', dockerfile] },
  { name: 'tsbuild lint', args: [bundle, 'lint', dockerfile] },
  { name: 'tsbuild --help', args: [bundle, '--help'] },
  { name: 'parse, no compile cache', args: [bundle, 'parse', dockerfile], env: noCache },
  { name: 'lint, no compile cache', args: [bundle, 'lint', dockerfile], env: noCache },
  { name: 'parse, tsc output', args: [tscEntry, 'parse', dockerfile] },
  { name: 'lint, tsc output', args: [tscEntry, 'lint', dockerfile] },
];

const times = commands.map(() => [] as number[]);
// Warm-up: fills the compile cache and the page cache.
for (let w = 0; w < 3; w++) for (const c of commands) runOnce(c);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < commands.length; i++) times[i].push(runOnce(commands[i]));
}

console.log(`${rounds} interleaved rounds, median wall time per process; file: ${dockerfile}`);
const base = median(times[0]);
commands.forEach((c, i) => {
  const m = median(times[i]);
  console.log(`${c.name.padEnd(26)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}× node -e 0`);
});
