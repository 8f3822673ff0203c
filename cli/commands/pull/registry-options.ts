// Options and set-up shared by the commands that talk to registries (pull, push, login, logout).
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { processAlive, RegistryClient, type Store } from '../../../image/index.js';
import type { CommandIo } from '../images/command-io.js';

export interface RegistryOptions {
  /** Hosts (`host[:port]`) reached over plain HTTP; loopback registries always may be. */
  readonly insecureRegistries?: readonly string[];
}

export function registryClient(opts: RegistryOptions, io: CommandIo): RegistryClient {
  return new RegistryClient({
    insecureHosts: opts.insecureRegistries ?? [],
    dockerConfig: { env: (io.env ?? process.env) as NodeJS.ProcessEnv },
  });
}

/** Docker's `ConvertToHostname`: `https://host:5000/v1/` → `host:5000`; no server means Docker Hub. */
export function registryHost(server: string | undefined): string {
  if (server === undefined || server === '') return 'docker.io';
  return server.replace(/^https?:\/\//, '').split('/')[0]!;
}

const transferDirPattern = /^pull-(\d+)-[A-Za-z0-9]+$/; // mkdtemp adds 6 alphanumerics

/**
 * A private directory for partial downloads on the store's filesystem, named after our pid so `prune` can
 * remove what a killed pull left behind.
 */
export async function transferDir(store: Store): Promise<string> {
  const base = path.join(store.root, 'tmp');
  await mkdir(base, { recursive: true });
  return mkdtemp(path.join(base, `pull-${process.pid}-`));
}

/** Removes the transfer directories of processes that are gone; answers their names. */
export async function removeDeadTransferDirs(store: Store): Promise<string[]> {
  const base = path.join(store.root, 'tmp');
  const removed: string[] = [];
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const match = transferDirPattern.exec(name);
    if (match === null || processAlive(Number(match[1]))) continue;
    await rm(path.join(base, name), { recursive: true, force: true });
    removed.push(`tmp/${name}`);
  }
  return removed;
}
