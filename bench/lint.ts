// Lint throughput benchmark (issue 3). Lints every Dockerfile of the shared corpus, in memory, with tsbuild,
// dockerfile-utils (the validator behind the VS Code Docker extension) and dockerfilelint, rounds interleaved
// so the three run side by side under the same conditions; prints MB/s of each and the ratios, from each tool's
// best round of process CPU time (user + system; it includes the garbage collector's helper threads) and of wall
// time. On a machine shared with other work, CPU time is the steadier of the two. (Forcing a full GC before
// each pass made every tool slower, the allocation-heavy ones most, so the bench does not.)
// Goal: tsbuild >= 5x dockerfile-utils. Usage: node dist/bench/lint.js [--rounds N] [--corpus DIR]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { lint } from '../lint/index.js';

type Peer = { run(configDirectory: string, content: string): unknown[] };
const dockerfilelint = createRequire(import.meta.url)('dockerfilelint') as Peer;

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = argValue('--corpus', path.resolve(repoRoot, '../shared/corpus/dockerfiles'));
const rounds = Number(argValue('--rounds', '7'));
const texts = listFiles(corpus)
  .sort()
  .map((file) => readFileSync(file, 'utf8'));
const megabytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1e6;
// dockerfilelint looks for a .dockerfilelintrc in this directory on every run; an empty one keeps it default.
const emptyConfigDirectory = mkdtempSync(path.join(os.tmpdir(), 'tsbuild-bench-lint-'));

const tools: Record<string, (text: string) => number> = {
  tsbuild: (text) => lint(text).length,
  'dockerfile-utils': (text) => validate(text).length,
  dockerfilelint: (text) => dockerfilelint.run(emptyConfigDirectory, text).length,
};

function timeOnce(run: (text: string) => number): { ms: number; cpu: number; findings: number; failures: number } {
  let findings = 0;
  let failures = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const text of texts) {
    try {
      findings += run(text);
    } catch {
      failures++;
    }
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpuStart);
  return { ms, cpu: (used.user + used.system) / 1000, findings, failures };
}

console.log(`corpus: ${texts.length} files, ${megabytes.toFixed(2)} MB; ${rounds} rounds after one warm-up`);
const samples: Record<string, number[]> = {};
const cpuSamples: Record<string, number[]> = {};
const totals: Record<string, { findings: number; failures: number }> = {};
for (const [name, run] of Object.entries(tools)) {
  const warm = timeOnce(run);
  totals[name] = { findings: warm.findings, failures: warm.failures };
  samples[name] = [];
  cpuSamples[name] = [];
}
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(tools)) {
    const { ms, cpu } = timeOnce(run);
    samples[name].push(ms);
    cpuSamples[name].push(cpu);
  }
}
const bestCpu = (name: string): number => Math.min(...cpuSamples[name]);
const bestWall = (name: string): number => Math.min(...samples[name]);
for (const name of Object.keys(tools)) {
  const { findings, failures } = totals[name];
  const cpuRate = (megabytes / (bestCpu(name) / 1000)).toFixed(2);
  const wallRate = (megabytes / (bestWall(name) / 1000)).toFixed(2);
  const times = `cpu ${bestCpu(name).toFixed(1)} ms, wall ${bestWall(name).toFixed(1)} ms, median wall ${median(samples[name]).toFixed(1)} ms`;
  console.log(`${name.padEnd(17)} ${cpuRate.padStart(7)} MB/s cpu ${wallRate.padStart(7)} MB/s wall  (${times})`);
  console.log(`${' '.repeat(17)} findings ${findings}, files it failed on ${failures}`);
}
for (const peer of ['dockerfile-utils', 'dockerfilelint']) {
  const cpu = bestCpu(peer) / bestCpu('tsbuild');
  const wall = bestWall(peer) / bestWall('tsbuild');
  console.log(`tsbuild vs ${peer}: ${cpu.toFixed(2)}x (cpu time), ${wall.toFixed(2)}x (wall time)`);
}
