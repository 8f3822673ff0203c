// Credentials for git remotes over HTTP(S), from build secrets as BuildKit's git source takes them: the first of
// GIT_AUTH_HEADER.<host>, GIT_AUTH_TOKEN.<host>, GIT_AUTH_HEADER, GIT_AUTH_TOKEN that is given (host with its port,
// as in the URL). A header secret is the whole Authorization value (`bearer …`); a token becomes
// `basic base64(x-access-token:TOKEN)`, what GitHub, GitLab and Gitea accept for an access token. git sends it as
// `http.<scope>.extraheader`: the remote itself, or every github.com repository (submodules of the same owner need
// it too; actions/checkout does the same).

/** An Authorization header for the HTTP requests git makes under `scope` (a URL prefix). */
export interface GitHttpAuth {
  readonly scope: string;
  readonly header: string;
}

/** The value of a build secret by id, or null when it is not given. */
export type SecretLookup = (id: string) => Promise<Buffer | null>;

/** The secrets that may hold credentials for `remote`, first match wins; none for a remote that is not HTTP(S). */
export function gitAuthSecretNames(remote: string): { readonly id: string; readonly token: boolean }[] {
  const host = httpHost(remote);
  if (host === undefined) return [];
  return [
    { id: `GIT_AUTH_HEADER.${host}`, token: false },
    { id: `GIT_AUTH_TOKEN.${host}`, token: true },
    { id: 'GIT_AUTH_HEADER', token: false },
    { id: 'GIT_AUTH_TOKEN', token: true },
  ];
}

/** The credentials for `remote` among the build's secrets, or undefined. */
export async function gitHttpAuth(remote: string, secret: SecretLookup): Promise<GitHttpAuth | undefined> {
  for (const { id, token } of gitAuthSecretNames(remote)) {
    const value = await secret(id);
    if (value === null) continue;
    const text = value.toString('utf8');
    // A header value cannot span lines: a trailing newline (a token file written by `echo`) is not part of it.
    const clean = text.replace(/\r?\n$/, '');
    if (/[\r\n]/.test(clean)) throw new Error(`secret ${id}: a git credential must be one line`);
    const header = token ? `basic ${Buffer.from(`x-access-token:${clean}`).toString('base64')}` : clean;
    return { scope: tokenScope(remote), header };
  }
  return undefined;
}

function httpHost(remote: string): string | undefined {
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.host : undefined;
}

function tokenScope(remote: string): string {
  for (const prefix of ['https://github.com/', 'https://www.github.com/']) {
    if (remote.startsWith(prefix)) return prefix;
  }
  return remote;
}

/**
 * The credentials as git configuration in the environment (GIT_CONFIG_COUNT…, git 2.31+), never on the command
 * line, where every user of the machine could read them in /proc.
 */
export function gitAuthEnvironment(auth: GitHttpAuth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${auth.scope}.extraheader`,
    GIT_CONFIG_VALUE_0: `Authorization: ${auth.header}`,
  };
}
