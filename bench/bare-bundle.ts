// The bare runtime bundle the benchmarks time tsbuild's RUN against: `runc spec`'s own config, no terminal.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `runc spec`'s own config in `dir` for `rootfs`, running `args` without a terminal; returns `dir`. */
export function bareBundle(dir: string, rootfs: string, args: readonly string[], readonly: boolean): string {
  mkdirSync(dir, { recursive: true });
  rmSync(path.join(dir, 'config.json'), { force: true });
  const made = spawnSync('runc', ['spec', '--bundle', dir], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`runc spec: ${made.stderr}`);
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  config.process.terminal = false;
  config.process.args = args;
  config.root = { path: rootfs, readonly };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** crun is installed: the benchmarks time it beside runc. */
export const crunInstalled = (): boolean => spawnSync('crun', ['--version']).status === 0;
