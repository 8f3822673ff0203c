// Context snapshot benchmark (issue 4). Generates a deterministic 50,000-file ~200 MB context in
// /tmp (reused across runs), then times, side by side in one run:
//   cold: snapshot + hash every file with an empty stat cache  vs  `tar c CTX | sha256sum`
//   warm: snapshot + digests from a warm (persisted) stat cache  vs  `find CTX -printf '%s %T@\n'`
// and prints medians and ratios (see runOnce for --fresh). Both take the path a `tsbuild plan` or build of
// `COPY . /app` takes: the context walk, then the checksum of the context root over every file (planning the one
// COPY on top of it costs nothing measurable). The warm run asks for every file's digest (`digestAll`, from the
// stat cache), as `tsbuild plan` does to explain its cache status; the root's checksum then comes from the
// contents memo the cold run left (cache/context/contents-memo.ts), as in a no-op `tsbuild build`, which needs
// no per-file digest at all.
// Usage: node --expose-gc dist/bench/context.js [--runs N] [--dir PATH] [--fresh]

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StatCache, snapshotContext } from '../cache/index.js';
import { copiesWholeContext, parse } from '../planner/index.js';

/** What the timed plan copies: the whole context (then the checksum of the context root is the COPY's input). */
const wholeContextCopy = parse('FROM scratch\nCOPY . /app\n').ast;

const FILES = 50_000;
const DIRS = 500;
const GENERATOR_VERSION = 'v1';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Deterministic pseudo-random bytes (a sha256 chain), used as a pool to slice file contents from. */
function pool(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let block = createHash('sha256').update('tsbuild-bench-context').digest();
  for (let off = 0; off < bytes; off += 32) {
    block.copy(out, off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Sizes: mostly small files, a few large ones, about 200 MB in all. */
function fileSize(i: number): number {
  const r = (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32;
  if (i % 1000 === 7) return 1_000_000 + Math.floor(r * 1_000_000); // 50 files of 1-2 MB
  return Math.floor(r * 5_200); // the rest: 0-5.2 KB
}

async function generate(dir: string): Promise<void> {
  const marker = path.join(dir, '.bench-generated');
  if (existsSync(marker) && (await fsp.readFile(marker, 'utf8')) === GENERATOR_VERSION) return;
  await fsp.rm(dir, { recursive: true, force: true });
  const data = pool(4 * 1024 * 1024);
  let total = 0;
  for (let d = 0; d < DIRS; d++) await fsp.mkdir(path.join(dir, `d${d % 50}`, `sub${d}`), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const size = fileSize(i);
    const start = (i * 7919) % (data.length - 2_000_001);
    const content = Buffer.concat([Buffer.from(`${i}\n`), data.subarray(start, start + size)]);
    total += content.length;
    await fsp.writeFile(path.join(dir, `d${i % 50}`, `sub${i % DIRS}`, `f${i}.dat`), content);
  }
  await fsp.writeFile(path.join(dir, '.dockerignore'), '**/*.tmp\n');
  await fsp.writeFile(marker, GENERATOR_VERSION);
  console.log(`generated ${FILES} files, ${(total / 2 ** 20).toFixed(0)} MiB in ${dir}; letting the disk settle 5 s`);
  await new Promise((r) => setTimeout(r, 5000));
}

interface Sample {
  wall: number;
  /** user + system CPU time (ms), all threads or child processes: robust on a loaded machine. */
  cpu: number;
}

/** Runs a shell pipeline; CPU time from the shell's `times` (its children's user and system). */
function timeShell(cmd: string): Sample {
  const start = performance.now();
  const out = execFileSync('bash', ['-c', `${cmd}; times`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 30,
  });
  const wall = performance.now() - start;
  const lines = out.toString().trim().split('\n');
  const seconds = (lines[lines.length - 1].match(/(\d+)m([\d.]+)s/g) ?? []).map((t) => {
    const [, m, sec] = /(\d+)m([\d.]+)s/.exec(t)!;
    return Number(m) * 60 + Number(sec);
  });
  return { wall, cpu: (seconds[0] + seconds[1]) * 1000 };
}

async function timeSelf(fn: () => Promise<void>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

interface RunResult extends Sample {
  readonly files: number;
  readonly root: string;
  readonly misses: number;
}

/** The measured side of one run, timed in this process. */
async function measure(kind: string, dir: string, cacheFile: string): Promise<RunResult> {
  let files = 0;
  let root = '';
  let misses = 0;
  const sample = await timeSelf(async () => {
    const cache = await StatCache.open(cacheFile);
    // As `tsbuild plan` and `build` decide it for a Dockerfile that copies the whole context.
    const hashAll = cache.size === 0 && copiesWholeContext(wholeContextCopy);
    if (hashAll !== (kind === 'cold')) throw new Error(`a ${kind} run found ${cache.size} stat cache records`);
    const snap = await snapshotContext(dir, { statCache: cache, hashAll });
    files = await snap.digestAll();
    root = await snap.contentDigest('');
    await cache.save();
    misses = cache.misses;
    snap.close();
  });
  return { ...sample, files, root, misses };
}

/**
 * One measured run: in this process after a full garbage collection (so no run pays for the
 * previous run's garbage; the JIT has compiled the hot code in earlier runs), or with `--fresh`
 * in a new process, as each CLI build is (nothing compiled yet: slower). Node's start-up is
 * never timed: the child times the snapshot itself and prints the result.
 */
async function runOnce(kind: 'cold' | 'warm', dir: string, cacheFile: string, fresh: boolean): Promise<RunResult> {
  if (!fresh) {
    (globalThis as { gc?: () => void }).gc?.();
    return measure(kind, dir, cacheFile);
  }
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, process.argv[1], '--child', kind, '--dir', dir, '--cache', cacheFile],
    { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.toString()) as RunResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const runs = Number(argValue('--runs', '3'));
  const dir = argValue('--dir', path.join(os.tmpdir(), 'tsbuild-bench-context'));
  const fresh = process.argv.includes('--fresh');
  const childKind = argValue('--child', '');
  if (childKind) {
    process.stdout.write(JSON.stringify(await measure(childKind, dir, argValue('--cache', ''))));
    return;
  }
  await generate(dir);
  const store = await fsp.mkdtemp(path.join(os.tmpdir(), 'tsbuild-bench-store-'));
  const cacheFile = path.join(store, 'stat-cache');
  const quoted = `'${dir.replace(/'/g, `'\\''`)}'`;
  // Warm the page cache once so every measurement reads from memory.
  timeShell(`tar -C ${quoted} -c . | sha256sum`);

  const cold: Sample[] = [];
  const tarPeer: Sample[] = [];
  const warm: Sample[] = [];
  const findPeer: Sample[] = [];
  let files = 0;
  let root = '';
  for (let r = 0; r < runs; r++) {
    tarPeer.push(timeShell(`tar -C ${quoted} -c . | sha256sum > /dev/null`));
    await fsp.rm(cacheFile, { force: true });
    const c = await runOnce('cold', dir, cacheFile, fresh);
    cold.push(c);
    files = c.files;
    root = c.root;

    findPeer.push(timeShell(`find ${quoted} -printf '%s %T@\\n' > /dev/null`));
    const w = await runOnce('warm', dir, cacheFile, fresh);
    warm.push(w);
    if (w.root !== root) throw new Error('warm snapshot digest differs from the cold one');
    if (w.misses !== 0) console.log(`note: ${w.misses} stat-cache misses in the warm run`);
  }
  await fsp.rm(store, { recursive: true, force: true });

  const row = (label: string, ours: Sample[], peerLabel: string, peer: Sample[], goal: number): void => {
    const w = median(ours.map((s) => s.wall));
    const pw = median(peer.map((s) => s.wall));
    const c = median(ours.map((s) => s.cpu));
    const pc = median(peer.map((s) => s.cpu));
    console.log(
      `${label.padEnd(22)} wall ${w.toFixed(0).padStart(6)} ms vs ${peerLabel.padEnd(18)} ${pw.toFixed(0).padStart(6)} ms: ratio ${(w / pw).toFixed(2)} (goal <= ${goal}); CPU ${c.toFixed(0)} vs ${pc.toFixed(0)} ms: ratio ${(c / pc).toFixed(2)}`,
    );
  };
  console.log(
    `context: ${dir} (${files} files hashed; root ${root.slice(0, 19)}…), ${runs} runs, medians, ` +
      (fresh ? 'each run in a fresh process' : 'runs in this process'),
  );
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} cores`,
  );
  row('cold snapshot + hash', cold, 'tar c | sha256sum', tarPeer, 1);
  row('warm snapshot', warm, 'find -printf', findPeer, 2);
}

await main();
