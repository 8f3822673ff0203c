// Writes the /etc/hosts, /etc/resolv.conf and /etc/hostname a container sees. They live outside the
// rootfs (in the bundle directory) and are bind-mounted read-only, so a RUN step can never change
// them and they never end up in a layer.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  const files: NetworkFiles = {
    hosts: path.join(dir, 'hosts'),
    resolvConf: path.join(dir, 'resolv.conf'),
    hostname: path.join(dir, 'hostname'),
  };
  let resolvConf: string;
  try {
    resolvConf = await readFile(options.hostResolvConf ?? '/etc/resolv.conf', 'utf8');
  } catch {
    resolvConf = fallbackResolvConf;
  }
  await Promise.all([
    writeFile(files.hosts, hostsFileContent(options.hostname, options.extraHosts), { mode: 0o644 }),
    writeFile(files.resolvConf, resolvConf, { mode: 0o644 }),
    writeFile(files.hostname, `${options.hostname}\n`, { mode: 0o644 }),
  ]);
  return files;
}
