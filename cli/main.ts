#!/usr/bin/env node
// Entry point of the `tsbuild` executable. Start-up time matters (lint in CI, editors), so this file imports only
// Node built-ins statically: V8's compile cache must be switched on before any of our code or yargs is loaded.
import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A private directory for V8's code cache, or undefined when none can be trusted. The cache holds compiled code
 * that this process will run, so a directory another user could write to (a pre-created one in a shared /tmp)
 * is refused rather than used.
 */
function compileCacheDir(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = path.join(tmpdir(), `tsbuild-compile-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

// NODE_COMPILE_CACHE (when set) already enabled Node's own cache; NODE_DISABLE_COMPILE_CACHE turns this off.
if (process.env.NODE_COMPILE_CACHE === undefined && process.env.NODE_DISABLE_COMPILE_CACHE === undefined) {
  const dir = compileCacheDir();
  if (dir !== undefined) module.enableCompileCache?.(dir);
}

async function main(): Promise<void> {
  const { buildCli, encodeStdinOperand } = await import('./program.js');
  let chosen: (() => Promise<number>) | undefined;
  // yargs' hideBin(process.argv) is slice(2) outside Electron; importing yargs/helpers for it costs start-up time.
  const argv = process.argv.slice(2).map(encodeStdinOperand);
  await buildCli(argv, (runner) => {
    chosen = runner;
  }).parseAsync();
  if (chosen) process.exitCode = await chosen();
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tsbuild: ${message}\n`);
  process.exitCode = 1;
});
