#!/usr/bin/env node
// The `tsbuild` executable: runs the bundled CLI (tsbuild-cli.cjs beside this file, made by scripts/bundle.mjs from
// main.ts) with a V8 code cache taken after a run, not before. Node's own compile cache stores a module's code as
// compiled before it runs, which holds little but the top level: every function a command called was compiled again
// on every run, a third of a cached build's ~75 ms here. V8 serialises a script's code cache with every function
// compiled so far, so this one is written at the end of the first run of each kind of command (build, lint …), again
// by the run after it when the first was short (PROVISIONAL), and after a long run that compiled much more, and read
// by the runs after it: a cached build takes ~15 ms less here, a cold one ~35 ms; a first run compiles the whole
// script, ~30 ms more than the chunks it replaced.
// The cache lives in the user's private directory (compile-cache.ts: code from it is run, so no other user may write
// there), named by the bundle's digest, the Node version and the command. V8 refuses data made by another V8 or
// with other flags, and it is then written anew. NODE_DISABLE_COMPILE_CACHE=1 runs without it. Once a day the loader
// also prunes the directory (compile-cache-prune.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { compileCacheDir, compileCachePruneDue } from './compile-cache.js';
import { pruneCompileCache } from './compile-cache-prune.js';

/** The digest of tsbuild-cli.cjs, set by scripts/bundle.mjs: a cache made for another bundle is never read. */
declare const TSBUILD_BUNDLE_ID: string | undefined;
/** `latin1` when the bundle is ASCII (scripts/bundle.mjs): read so, it needs no UTF-8 decoding, a ms of every start. */
declare const TSBUILD_BUNDLE_ENCODING: BufferEncoding | undefined;

/** Commands that call different code keep caches of their own; any other command shares `other`. */
const kinds = new Set(['build', 'lint', 'parse', 'plan', 'run', 'pull', 'push']);

function commandKind(argv: readonly string[]): string {
  const first = argv[0] ?? '';
  if (kinds.has(first)) return first;
  if (['--help', '-h', '--version'].includes(first)) return 'other';
  // `tsbuild -t name .` and `tsbuild .` are builds.
  return first.startsWith('-') || first.includes('/') || first === '.' ? 'build' : 'other';
}

function cacheDir(): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE !== undefined || typeof TSBUILD_BUNDLE_ID !== 'string') return undefined;
  return compileCacheDir();
}

function cacheFile(dir: string): string {
  const kind = commandKind(process.argv.slice(2));
  return path.join(dir, `cli-${TSBUILD_BUNDLE_ID}-${process.version}-${process.arch}-${kind}.v8`);
}

interface StoredCache {
  readonly data: Buffer;
  /** A long run tried to refresh it and found it had not grown: later runs do not try again (see below). */
  readonly settled: boolean;
  /** Written by a short run (PROVISIONAL): the next run takes it again if it grew. */
  readonly provisional: boolean;
  /** Written (or checked) by a run that did its command's work (WORKED). */
  readonly worked: boolean;
}

function readCache(file: string | undefined): StoredCache | undefined {
  if (file === undefined) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const { size, mode } = fs.fstatSync(fd);
    const data = Buffer.allocUnsafe(size);
    if (fs.readSync(fd, data, 0, size, 0) !== size) return undefined;
    return {
      data,
      settled: (mode & 0o200) === 0,
      provisional: (mode & PROVISIONAL) !== 0,
      worked: (mode & WORKED) !== 0,
    };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A run this long (ms) may refresh a cache: serialising it (~10 ms) is then a small part of the run. Each cache is
 * tried until a long run finds it has not grown: that run makes the file read-only (0400), and later long runs leave
 * it as it is instead of serialising it again for nothing.
 */
const LONG_RUN_MS = 1000;

/**
 * The mode bit (group read, in a private directory) of a cache written by a run shorter than LONG_RUN_MS: a first
 * build after an install that failed early or found every step cached compiled far less than a build that runs
 * steps (1.01 MB of cache against 1.22 MB here), and every later build then compiled the rest again (~10 ms of a
 * 60 ms no-op). The run after it serialises its own (~10 ms, once) and keeps it when it grew by 10%; either way the
 * cache is no longer provisional.
 */
const PROVISIONAL = 0o040;

/**
 * The mode bit (other read, in a private directory) of a cache written, or checked, by a run that did its command's
 * work: a build that ran a step, a `run` that started a container (the bundle says so under WORK_DONE). Short runs
 * that did none (a no-op build, a missing image) could make a cache final that lacked a third of what a build that
 * runs steps compiles: every cold `small` build then compiled it again, 30-50 ms of ~450 (bench:ab, 20/21 and 27/31
 * pairs). The first run that does the work takes such a cache again once, whatever its length.
 */
const WORKED = 0o004;

/** Set by the bundle once the run does its command's work (executor/runtime/work-done.ts). */
const WORK_DONE = Symbol.for('tsbuild.code-cache.work-done');
const workDone = (): boolean => (globalThis as unknown as Record<symbol, unknown>)[WORK_DONE] === true;

/** WORKED for a cache a run that did the work wrote or checked, kept when an earlier one did. */
const workedBit = (stored: StoredCache | undefined): number => (stored?.worked === true || workDone() ? WORKED : 0);

/**
 * Written at exit, when all the run's functions are compiled; over a `cached` one only if it grew by 10% (a build
 * that ran steps, after one that found them all cached). A temp file renamed, so no reader sees half of it. Says
 * whether it wrote the file.
 */
function writeCache(file: string, script: vm.Script, cached: Buffer | undefined, provisional = false): boolean {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    const data = script.createCachedData();
    if (cached !== undefined && data.length < cached.length * 1.1) return false;
    fs.writeFileSync(temp, data, { mode: 0o600 });
    // Set as such, whatever the umask: the bits are what the next run reads.
    const bits = (provisional ? PROVISIONAL : 0) | workedBit(undefined);
    if (bits !== 0) fs.chmodSync(temp, 0o600 | bits);
    fs.renameSync(temp, file);
    return true;
  } catch {
    fs.rmSync(temp, { force: true }); // a full disk or a removed directory costs the next run its cache only
    return false;
  }
}

/**
 * What the run does with its cache at exit, as the debug line tells it: written when there was none (or V8 refused
 * it, provisional when this run was short), refreshed by the run after a provisional one, or by the first run that
 * did its command's work after runs that did none (WORKED), refreshed or settled after a long run (LONG_RUN_MS).
 */
function saveCache(file: string, script: vm.Script, stored: StoredCache | undefined, fresh: boolean): string {
  const long = performance.now() > LONG_RUN_MS;
  if (fresh) {
    writeCache(file, script, undefined, !long);
    return '';
  }
  if (stored?.provisional === true && stored.settled === false) {
    if (writeCache(file, script, stored.data)) return ', refreshed';
    try {
      fs.chmodSync(file, 0o600 | workedBit(stored));
    } catch {
      // the next run tries again
    }
    return ', kept';
  }
  if (stored !== undefined && !stored.worked && workDone()) {
    if (writeCache(file, script, stored.data)) return ', refreshed';
    try {
      fs.chmodSync(file, (stored.settled ? 0o400 : 0o600) | workedBit(stored));
    } catch {
      // the next run that works tries again
    }
    return ', kept';
  }
  if (stored?.settled !== false || !long) return '';
  if (writeCache(file, script, stored.data)) return ', refreshed';
  try {
    fs.chmodSync(file, 0o400 | workedBit(stored));
  } catch {
    // the next long run tries again
  }
  return ', settled';
}

const cliFile = fileURLToPath(new URL('./tsbuild-cli.cjs', import.meta.url));
const dir = cacheDir();
const file = dir === undefined ? undefined : cacheFile(dir);
const stored = readCache(file);
const encoding = typeof TSBUILD_BUNDLE_ENCODING === 'string' ? TSBUILD_BUNDLE_ENCODING : 'utf8';
const source = fs.readFileSync(cliFile, encoding);
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: cliFile,
  ...(stored === undefined ? {} : { cachedData: stored.data }),
});
const fresh = stored === undefined || script.cachedDataRejected === true;
process.on('exit', () => {
  const refresh = file === undefined ? '' : saveCache(file, script, stored, fresh);
  // Once a day the directory loses what no tsbuild read for a week; this run's cache was just written.
  if (dir !== undefined && compileCachePruneDue(dir)) {
    try {
      pruneCompileCache(dir);
    } catch {
      // a cache it cannot prune costs disk space only
    }
  }
  if (process.env.TSBUILD_DEBUG_CODE_CACHE === '1') {
    const state = file === undefined ? 'off' : stored === undefined ? 'missing' : fresh ? 'rejected' : 'used';
    fs.writeSync(2, `tsbuild code cache: ${state}${refresh}${file ? ` ${file}` : ''}\n`);
  }
});
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(cliFile), module, cliFile, path.dirname(cliFile));
