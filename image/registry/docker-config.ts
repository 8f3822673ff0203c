import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { runCredentialHelper } from './credential-helper.js';
import { RegistryError } from './errors.js';

// Credentials the way the Docker CLI keeps them: `$DOCKER_CONFIG/config.json` (default ~/.docker/config.json)
// with `auths` entries, a default `credsStore` helper and per-registry `credHelpers`.

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint. */
  readonly identityToken?: string;
  /** A bearer token sent as is (`registrytoken`). */
  readonly registryToken?: string;
}

export interface DockerConfigOptions {
  /** Directory holding config.json; default `$DOCKER_CONFIG` or `~/.docker`. */
  readonly configDir?: string;
  /** Environment for `$DOCKER_CONFIG`, `$HOME` and the credential helpers' PATH. */
  readonly env?: NodeJS.ProcessEnv;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  [key: string]: unknown;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** The key Docker files Docker Hub credentials under. */
export const dockerHubServer = 'https://index.docker.io/v1/';
const dockerHubHosts = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function dockerConfigPath(options: DockerConfigOptions = {}): string {
  const env = options.env ?? process.env;
  const dir = options.configDir ?? env['DOCKER_CONFIG'] ?? path.join(env['HOME'] ?? homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** Docker's `ConvertToHostname`: `https://host:5000/v1/` → `host:5000`. */
export function hostnameOf(server: string): string {
  const stripped = server.replace(/^https?:\/\//, '');
  return stripped.split('/')[0]!;
}

/** The server address Docker stores a registry's credentials under. */
export function credentialServer(host: string): string {
  return dockerHubHosts.has(hostnameOf(host)) ? dockerHubServer : hostnameOf(host);
}

function sameRegistry(key: string, host: string): boolean {
  const a = hostnameOf(key);
  const b = hostnameOf(host);
  return a === b || (dockerHubHosts.has(a) && dockerHubHosts.has(b));
}

async function readConfig(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  if (text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as ConfigFile;
  } catch (error) {
    throw new RegistryError('EREG_CREDENTIALS', `${file}: invalid JSON: ${(error as Error).message}`);
  }
}

function helperFor(config: ConfigFile, host: string): string | undefined {
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) {
    if (sameRegistry(key, host) && helper) return helper;
  }
  return config.credsStore || undefined;
}

function decodeEntry(entry: AuthEntry): Credentials | undefined {
  let username = entry.username;
  let password = entry.password;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new RegistryError('EREG_CREDENTIALS', 'invalid auth configuration file');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const creds: Credentials = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}),
    ...(entry.registrytoken ? { registryToken: entry.registrytoken } : {}),
  };
  return Object.keys(creds).length > 0 ? creds : undefined;
}

/** Credentials for a registry host, or `undefined` for anonymous access. */
export async function getCredentials(
  host: string,
  options: DockerConfigOptions = {},
): Promise<Credentials | undefined> {
  const config = await readConfig(dockerConfigPath(options));
  const helper = helperFor(config, host);
  if (helper !== undefined) {
    const out = await runCredentialHelper(helper, 'get', credentialServer(host), options.env);
    if (out === undefined) return undefined;
    let parsed: { Username?: unknown; Secret?: unknown };
    try {
      parsed = JSON.parse(out) as typeof parsed;
    } catch {
      throw new RegistryError('EREG_CREDENTIALS', `credential helper docker-credential-${helper}: invalid output`);
    }
    const username = typeof parsed.Username === 'string' ? parsed.Username : '';
    const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
    if (secret === '') return undefined;
    // Docker's convention: the user name `<token>` marks an identity (refresh) token.
    return username === '<token>' ? { identityToken: secret } : { username, password: secret };
  }
  const auths = config.auths ?? {};
  const server = credentialServer(host);
  const exact = auths[server];
  if (exact !== undefined) return decodeEntry(exact);
  for (const [key, entry] of Object.entries(auths)) {
    if (sameRegistry(key, host)) return decodeEntry(entry);
  }
  return undefined;
}

/** Writes the config atomically (temporary file, fsync, rename), owner-only, through a symlinked config.json. */
async function writeConfig(file: string, config: ConfigFile): Promise<void> {
  let target = file;
  try {
    target = await realpath(file);
  } catch {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  }
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(config, null, '\t')}\n`);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, target);
}

/** Saves credentials for `host` (`tsbuild login`): through the configured helper, else in `auths`. */
export async function storeCredentials(
  host: string,
  creds: { username: string; password: string },
  options: DockerConfigOptions = {},
): Promise<void> {
  const file = dockerConfigPath(options);
  const config = await readConfig(file);
  const server = credentialServer(host);
  const helper = helperFor(config, host);
  const auths = { ...(config.auths ?? {}) };
  if (helper !== undefined) {
    const payload = JSON.stringify({ ServerURL: server, Username: creds.username, Secret: creds.password });
    await runCredentialHelper(helper, 'store', payload, options.env);
    auths[server] = {};
  } else {
    auths[server] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  }
  await writeConfig(file, { ...config, auths });
}

/** Forgets the credentials of `host` (`tsbuild logout`); answers whether there were any. */
export async function removeCredentials(host: string, options: DockerConfigOptions = {}): Promise<boolean> {
  const file = dockerConfigPath(options);
  const config = await readConfig(file);
  const helper = helperFor(config, host);
  let removed = false;
  if (helper !== undefined) {
    removed = (await runCredentialHelper(helper, 'erase', credentialServer(host), options.env)) !== undefined;
  }
  const auths = { ...(config.auths ?? {}) };
  for (const key of Object.keys(auths)) {
    if (sameRegistry(key, host)) {
      delete auths[key];
      removed = true;
    }
  }
  if (removed) await writeConfig(file, { ...config, auths });
  return removed;
}
