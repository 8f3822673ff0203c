// Writes the /etc/hosts, /etc/resolv.conf and /etc/hostname a container sees. They live outside the
// rootfs (in the bundle directory) and are bind-mounted read-only, so a RUN step can never change
// them and they never end up in a layer.
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../image/index.js';
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

/** Files of `storedNetworkFiles` already checked or written by this process, by path. */
const stored = new Map<string, Promise<void>>();

/**
 * The same files kept in `dir` (the store's `cache/network`): one file per content, named by its sha256, written
 * once (temp file, fsync, rename) and then used by every container of every build, as the runtime binds them
 * read-only. Files in a per-process directory had to be removed at exit, and unlinking a file a container had bound
 * took ~10 ms each on the project's VMs, on the way out of every build that ran a RUN step.
 */
export async function storedNetworkFiles(options: NetworkFileOptions, dir: string): Promise<NetworkFiles> {
  const contents = await contentsOf(options);
  const [hosts, resolvConf, hostname] = await Promise.all(
    [contents.hosts, contents.resolvConf, contents.hostname].map((content) => storedFile(dir, content)),
  );
  return { hosts: hosts as string, resolvConf: resolvConf as string, hostname: hostname as string };
}

async function storedFile(dir: string, content: string): Promise<string> {
  const file = path.join(dir, createHash('sha256').update(content).digest('hex'));
  let ready = stored.get(file);
  if (ready === undefined) {
    ready = access(file).catch(() => writeStored(file, content));
    stored.set(file, ready);
    ready.catch(() => stored.delete(file));
  }
  await ready;
  return file;
}

/** Crash-safe like every store write; mode 0644 whatever the umask, since a RUN step's user may be anyone. */
async function writeStored(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  // Another process may put the same content there meanwhile: the rename replaces it with equal bytes.
  await writeFileAtomic(file, content, 0o644, { exactMode: true });
}
