// The directories and hard links of a direct copy that reuses a previous snapshot (copy-reuse.ts), made by a
// helper thread with plain synchronous calls. Tens of thousands of `link` calls through fs/promises cost the
// main thread more than the syscalls themselves, and the main thread is busy making the layer tar meanwhile;
// the tar does not depend on the links, so the two proceed side by side on two cores.
import { Worker } from 'node:worker_threads';
import type { DirectEntry } from './copy-direct.js';

// Plain CommonJS evaluated in the worker (no file to locate, works from sources and from dist). Directories
// first, each created 0700 (copy-direct.ts sets their metadata at the end), then the links; one message when
// the directories exist, one when all is done, or one error.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { mkdirSync, linkSync } = require('node:fs');
const { root, dirs, links } = workerData;
try {
  for (const dir of dirs === '' ? [] : dirs.split('\\0')) mkdirSync(root + '/' + dir, { mode: 0o700 });
  parentPort.postMessage('dirs');
  for (const [from, paths] of links) {
    for (const path of paths.split('\\0')) linkSync(from + '/' + path, root + '/' + path);
  }
  parentPort.postMessage('done');
} catch (error) {
  parentPort.postMessage({ error: String((error && error.message) || error) });
}
`;

export interface LinkJob {
  /** Resolves once every directory exists. */
  readonly dirsMade: Promise<void>;
  /** Resolves once every link exists. */
  readonly done: Promise<void>;
  /** Stops the thread (after the call in progress) and waits for it: nothing is created afterwards. */
  stop(): Promise<void>;
}

export interface LinkPlan {
  /** Directories to create under `root`, parents first (paths relative to `root`). */
  readonly dirs: readonly string[];
  /** Hard links: for each directory (absolute), the paths of its files linked at the same path under `root`. */
  readonly links: ReadonlyMap<string, readonly string[]>;
}

export class LinkJobError extends Error {
  readonly code = 'E_LINK_JOB';
}

/** Starts making `plan` under `root`, an empty directory of ours whose paths hold no symlinks. */
export function startLinkJob(root: string, plan: LinkPlan): LinkJob {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      root,
      dirs: plan.dirs.join('\0'),
      links: [...plan.links].filter(([, paths]) => paths.length > 0).map(([from, paths]) => [from, paths.join('\0')]),
    },
  });
  let dirsMade: (() => void) | undefined;
  let done: (() => void) | undefined;
  let fail: (error: Error) => void = () => {};
  const dirsPromise = new Promise<void>((resolve) => {
    dirsMade = resolve;
  });
  const donePromise = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  // A failure before the directories exist rejects both.
  const dirsOrFail = Promise.race([dirsPromise, donePromise]);
  dirsOrFail.catch(() => {});
  donePromise.catch(() => {});
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: unknown) => {
    if (message === 'dirs') dirsMade?.();
    else if (message === 'done') done?.();
    else fail(new LinkJobError((message as { error?: string }).error ?? 'link job failed'));
  });
  worker.on('error', (error) => fail(error));
  worker.once('exit', (code) => {
    exited = true;
    fail(new LinkJobError(`link job stopped (exit code ${code})`));
  });
  return {
    dirsMade: dirsOrFail,
    done: donePromise,
    async stop() {
      if (!exited) await worker.terminate();
      await exit;
    },
  };
}

/** The link job of a direct copy's entries (every directory, every reused file); null when nothing is reused. */
export function linkJobFor(root: string, entries: readonly DirectEntry[]): LinkJob | null {
  if (!entries.some((entry) => entry.reuse !== undefined)) return null;
  const links = new Map<string, string[]>();
  for (const entry of entries) {
    if (entry.reuse === undefined) continue;
    const paths = links.get(entry.reuse.snapshot);
    if (paths === undefined) links.set(entry.reuse.snapshot, [entry.path]);
    else paths.push(entry.path);
  }
  const dirs = entries.filter((entry) => entry.type === 'dir').map((entry) => entry.path);
  return startLinkJob(root, { dirs, links });
}
