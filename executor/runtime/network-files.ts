// Writes the /etc/hosts, /etc/resolv.conf and /etc/hostname a container sees. They live outside the
// rootfs (in the bundle directory) and are bind-mounted read-only, so a RUN step can never change
// them and they never end up in a layer.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launcherDir } from './launcher.js';
import type { NetworkFiles } from './spec.js';

/** BuildKit's sandbox hostname, used when the build sets none. */
export const defaultHostname = 'buildkitsandbox';

export interface ExtraHost {
  readonly name: string;
  readonly ip: string;
}

export interface NetworkFileOptions {
  readonly hostname: string;
  /** `--add-host` entries, appended in order. */
  readonly extraHosts?: readonly ExtraHost[];
  /** Where to take the resolver configuration from; defaults to the host's /etc/resolv.conf. */
  readonly hostResolvConf?: string;
}

/** The hosts file BuildKit generates: the hostname resolves to loopback. */
export function hostsFileContent(hostname: string, extraHosts: readonly ExtraHost[] = []): string {
  let text = `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
  for (const host of extraHosts) text += `${host.ip}\t${host.name}\n`;
  return text;
}

/** Public resolvers, as Docker uses when the host has none. */
const fallbackResolvConf = 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';

export async function writeNetworkFiles(dir: string, options: NetworkFileOptions): Promise<NetworkFiles> {
  return writeContents(dir, await contentsOf(options));
}

interface Contents {
  readonly hosts: string;
  readonly resolvConf: string;
  readonly hostname: string;
}

async function contentsOf(options: NetworkFileOptions): Promise<Contents> {
  let resolvConf: string;
  try {
    resolvConf = await readFile(options.hostResolvConf ?? '/etc/resolv.conf', 'utf8');
  } catch {
    resolvConf = fallbackResolvConf;
  }
  return {
    hosts: hostsFileContent(options.hostname, options.extraHosts),
    resolvConf,
    hostname: `${options.hostname}\n`,
  };
}

async function writeContents(dir: string, contents: Contents): Promise<NetworkFiles> {
  const files: NetworkFiles = {
    hosts: path.join(dir, 'hosts'),
    resolvConf: path.join(dir, 'resolv.conf'),
    hostname: path.join(dir, 'hostname'),
  };
  await Promise.all([
    writeFile(files.hosts, contents.hosts, { mode: 0o644 }),
    writeFile(files.resolvConf, contents.resolvConf, { mode: 0o644 }),
    writeFile(files.hostname, contents.hostname, { mode: 0o644 }),
  ]);
  return files;
}

/** Files already written by this process, by directory and content (a changed resolv.conf gets new ones). */
const shared = new Map<string, Promise<NetworkFiles>>();
let sharedDirs = 0;

/**
 * The same files, written once per process and content into the launcher's private directory (removed at exit)
 * and shared by every container that wants them, as BuildKit shares its resolv.conf: the runtime binds them
 * read-only, so no container can change what the next one sees, and a step writes and removes three files less.
 */
export async function sharedNetworkFiles(options: NetworkFileOptions): Promise<NetworkFiles> {
  const contents = await contentsOf(options);
  const base = launcherDir();
  const key = JSON.stringify([base, contents.hosts, contents.resolvConf, contents.hostname]);
  let files = shared.get(key);
  if (files === undefined) {
    const dir = path.join(base, `network-${++sharedDirs}`);
    files = mkdir(dir, { mode: 0o755 }).then(() => writeContents(dir, contents));
    shared.set(key, files);
    files.catch(() => shared.delete(key));
  }
  return files;
}
