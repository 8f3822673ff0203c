// Parser benchmark: tsbuild's parser vs dockerfile-ast on the whole corpus, in one process, side by side.
// Run: `npm run build && node --expose-gc dist/bench/parser.js [ROUNDS=5] [WARMUPS=5]`; prints what it measures.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from '../parser/index.js';
import { repoRoot } from './repo-root.js';

type Parser = { name: string; parse: (text: string) => unknown };

const parsers: Parser[] = [
  { name: 'tsbuild', parse: (text) => parse(text) },
  { name: 'dockerfile-ast', parse: (text) => DockerfileParser.parse(text) },
];

function corpus(): string[] {
  const root = path.resolve(repoRoot(), '../shared/corpus/dockerfiles');
  const files: string[] = [];
  for (const repo of readdirSync(root).sort()) {
    for (const f of readdirSync(path.join(root, repo)).sort())
      files.push(readFileSync(path.join(root, repo, f), 'utf8'));
  }
  return files;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

interface Result {
  files: number;
  seconds: number;
  mb: number;
  p99ms: number;
  maxms: number;
  peakHeapMB: number;
}

interface Tally {
  times: number[];
  total: number;
  peak: number;
  base: number;
}

/** One pass over the corpus; `keep` holds every result of the pass so that the peak heap includes all ASTs. */
function pass(p: Parser, files: string[], tally: Tally, trackMemory: boolean): void {
  const keep: unknown[] = [];
  for (let i = 0; i < files.length; i++) {
    const t0 = performance.now();
    const out = p.parse(files[i]);
    const dt = performance.now() - t0;
    tally.total += dt;
    tally.times.push(dt);
    if (trackMemory) {
      keep.push(out);
      if (i % 64 === 0) tally.peak = Math.max(tally.peak, process.memoryUsage().heapUsed);
    }
  }
  if (trackMemory) tally.peak = Math.max(tally.peak, process.memoryUsage().heapUsed);
}

/** Rounds alternate between the parsers, so that machine load affects both alike. */
function measureAll(files: string[], rounds: number, warmups: number): Map<string, Result> {
  const tallies = new Map<string, Tally>();
  // Warm-up passes let V8 tier both parsers up to optimized code: steady state is what is compared.
  for (let w = 0; w < warmups; w++)
    for (const p of parsers) pass(p, files, { times: [], total: 0, peak: 0, base: 0 }, false);
  for (const p of parsers) tallies.set(p.name, { times: [], total: 0, peak: 0, base: 0 });
  for (let r = 0; r < rounds; r++) {
    for (const p of parsers) {
      const tally = tallies.get(p.name) as Tally;
      gc();
      if (r === 0) tally.base = tally.peak = process.memoryUsage().heapUsed;
      pass(p, files, tally, r === 0);
    }
  }
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f), 0) * rounds;
  const results = new Map<string, Result>();
  for (const [name, t] of tallies) {
    t.times.sort((a, b) => a - b);
    results.set(name, {
      files: files.length * rounds,
      seconds: t.total / 1000,
      mb: bytes / 1e6,
      p99ms: t.times[Math.floor(t.times.length * 0.99)],
      maxms: t.times[t.times.length - 1],
      peakHeapMB: (t.peak - t.base) / 1e6,
    });
  }
  return results;
}

function msPerMB(p: Parser, text: string): number {
  p.parse(text);
  const t0 = performance.now();
  p.parse(text);
  return (performance.now() - t0) / (Buffer.byteLength(text) / 1e6);
}

const files = corpus();
const rounds = Number(process.argv[2] ?? 5);
const warmups = Number(process.argv[3] ?? 5);
console.log(
  `corpus: ${files.length} files, ${(files.reduce((n, f) => n + Buffer.byteLength(f), 0) / 1e6).toFixed(2)} MB, ${rounds} rounds per parser (alternating) after ${warmups} warm-up rounds`,
);
const results = measureAll(files, rounds, warmups);
for (const p of parsers) {
  const r = results.get(p.name) as Result;
  console.log(
    `${p.name.padEnd(15)} ${(r.files / r.seconds).toFixed(0).padStart(7)} files/s  ${(r.mb / r.seconds).toFixed(1).padStart(6)} MB/s  p99 ${r.p99ms.toFixed(3)} ms  max ${r.maxms.toFixed(2)} ms  peak heap +${r.peakHeapMB.toFixed(0)} MB`,
  );
}
const ours = results.get('tsbuild') as Result;
const theirs = results.get('dockerfile-ast') as Result;
console.log(
  `ratio (tsbuild MB/s / dockerfile-ast MB/s): ${(ours.mb / ours.seconds / (theirs.mb / theirs.seconds)).toFixed(2)}×`,
);

const joined = files.join('\n');
for (const size of [100_000, 1_000_000, 10_000_000]) {
  const text = joined.repeat(Math.ceil(size / joined.length)).slice(0, size);
  const row = parsers.map((p) => `${p.name} ${msPerMB(p, text).toFixed(1)} ms/MB`).join('  ');
  console.log(`synthetic ${String(size / 1000).padStart(6)} KB: ${row}`);
}
