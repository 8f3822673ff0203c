// Shared set-up of the end-to-end build tests: a private store per test file under .tsbuild-test/
// (the repo's filesystem, which overlayfs accepts as upper), the busybox base image imported into it
// from the fixtures rootfs, and `buildIn`, which runs a whole build with captured progress.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BuildOptions, type BuildResult, build, listMountsUnder, plainProgress } from '../../executor/index.js';
import { importRootfs } from '../../image/archive/import-rootfs.js';
import { Store } from '../../image/index.js';
import { busyboxRootfs, isolationUnavailable, repoRoot, testRoot } from '../executor/helpers.js';

export { isolationUnavailable, repoRoot };

export const sharedDir = path.resolve(repoRoot, '../shared');
/** The CLI as it ships (`npm run build` makes it): tests of the bundle run this file. */
export const bundledCli = path.join(repoRoot, 'dist/bin/tsbuild.js');
/** Why the tests of the bundled CLI cannot run here (no isolation, or no bundle built), or undefined. */
export function bundledCliUnavailable(): string | undefined {
  return isolationUnavailable() ?? (existsSync(bundledCli) ? undefined : `${bundledCli} is not built`);
}
export const busyboxPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const created: string[] = [];

/** A fresh, short-named directory for one test's store or context (removed by `removeFreshDirs`). */
export async function freshDir(prefix: string): Promise<string> {
  const dir = path.join(testRoot, 'e2e', `${prefix}${randomBytes(3).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  created.push(dir);
  return dir;
}

/** Removes the directories this test file created; one with a mount still below it is kept. */
export async function removeFreshDirs(): Promise<void> {
  for (const dir of created.splice(0)) {
    if ((await listMountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  }
}

/** Streams `tar -c` of a directory (numeric owners, as the fixture tree has them). */
function tarOf(dir: string): AsyncIterable<Uint8Array> {
  const child = spawn('tar', ['-C', dir, '--numeric-owner', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return child.stdout;
}

/** A store holding `busybox:latest` with the official image's config (PATH, `sh`). */
export async function storeWithBusybox(): Promise<Store> {
  const store = await Store.open(await freshDir('s'));
  await importRootfs(store, tarOf(await busyboxRootfs()), 'busybox:latest', {
    created: '2024-01-01T00:00:00Z',
    config: { Env: [`PATH=${busyboxPath}`], Cmd: ['sh'] },
  });
  return store;
}

export type ContextEntry =
  | { path: string; type?: 'file'; content: string | Buffer; mode?: number }
  | { path: string; type: 'dir'; mode?: number }
  | { path: string; type: 'symlink'; target: string };

export async function writeContext(dir: string, entries: readonly ContextEntry[]): Promise<void> {
  for (const entry of entries) {
    const full = path.join(dir, entry.path);
    await mkdir(path.dirname(full), { recursive: true });
    if (entry.type === 'dir') {
      await mkdir(full, { recursive: true });
      if (entry.mode !== undefined) await chmod(full, entry.mode);
    } else if (entry.type === 'symlink') await symlink(entry.target, full);
    else {
      await writeFile(full, entry.content);
      await chmod(full, entry.mode ?? 0o644);
    }
  }
}

export interface BuildRun {
  readonly result: BuildResult | null;
  readonly error: Error | null;
  readonly log: string;
}

/** Runs a build, capturing the plain progress output; never throws for a failed build. */
export async function buildIn(
  store: Store,
  contextDir: string,
  options: Partial<Omit<BuildOptions, 'store' | 'contextDir' | 'progress'>> = {},
): Promise<BuildRun> {
  let log = '';
  try {
    const result = await build({
      store,
      contextDir,
      progress: plainProgress((text) => {
        log += text;
      }),
      ...options,
    });
    return { result, error: null, log };
  } catch (error) {
    return { result: null, error: error as Error, log };
  }
}

/** Removes one directory (for tests outside e2e that share these helpers). */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The `#N …` header lines of the steps a plain-progress build log reports as `#N CACHED`, in order. */
export function cachedSteps(log: string): string[] {
  const names = new Map<string, string>();
  const cached: string[] = [];
  for (const line of log.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (m === null) continue;
    if (m[2] === 'CACHED') cached.push(names.get(m[1]) ?? '?');
    else if (!names.has(m[1])) names.set(m[1], m[2]);
  }
  return cached;
}
