// Containers left running by a tsbuild process that died without cleaning up (SIGKILL): a killed build's
// RUN step goes on in its container, holding the step's overlay. Their bundles live in the dead process's
// work dir (`snapshots/t<tag>-<pid>-<hex>/…`), which names the owner; the next tsbuild kills and deletes them.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { processAlive } from '../../image/index.js';
import { defaultStateRoot, runtimeCommand } from '../runtime/runtime-command.js';

const execFileAsync = promisify(execFile);
/** `runtime args…` (see runtime-command.ts for how crun is started). */
const run = (runtime: string, args: readonly string[]) => {
  const invocation = runtimeCommand(runtime, args);
  return execFileAsync(invocation.command, [...invocation.args]);
};

interface ListedContainer {
  readonly id: string;
  readonly bundle: string;
}

/** Ids of containers in `stateRoot` whose bundle is under `snapshotsDir` in the work dir of a dead process. */
export function staleContainerIds(
  containers: readonly ListedContainer[],
  snapshotsDir: string,
  alive = processAlive,
): string[] {
  const prefix = `${snapshotsDir.replace(/\/+$/, '')}/`;
  return containers.flatMap((c) => {
    if (!c.bundle.startsWith(prefix)) return [];
    const owner = /^t[a-z]-(\d+)-[0-9a-f]+(\/|$)/.exec(c.bundle.slice(prefix.length));
    return owner !== null && !alive(Number(owner[1])) ? [c.id] : [];
  });
}

/** Kills and deletes the stale containers of one store; returns their ids. Never fails the caller. */
export async function removeStaleContainers(
  snapshotsDir: string,
  options: { readonly runtime?: string; readonly stateRoot?: string } = {},
): Promise<string[]> {
  const runtime = options.runtime ?? 'runc';
  const stateRoot = options.stateRoot ?? defaultStateRoot(runtime);
  // Every build passes here: when no container exists at all, one readdir is all it costs.
  if ((await readdir(stateRoot).catch(() => [])).length === 0) return [];
  const global = ['--root', stateRoot];
  const listed = await listContainers(runtime, global);
  const stale = staleContainerIds(listed, snapshotsDir);
  for (const id of stale) {
    await run(runtime, [...global, 'kill', '--all', id, 'KILL']).catch(() => {});
    await run(runtime, [...global, 'delete', '--force', id]).catch(() => {});
  }
  return stale;
}

/**
 * `runc list`, retried: it fails when a container it is reading is deleted at that moment (other
 * builds come and go), which must not hide the stale one. No state dir or no runtime: none.
 */
async function listContainers(runtime: string, global: readonly string[]): Promise<ListedContainer[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { stdout } = await run(runtime, [...global, 'list', '--format', 'json']);
      return (JSON.parse(stdout) as ListedContainer[] | null) ?? [];
    } catch {
      if (attempt >= 4) return [];
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
}
