// How a build's git commands reach remotes. SSH remotes of git sources (`git@host:repo`, `ssh://…`) authenticate
// with the `--ssh default` agent, as BuildKit's llb.Git mounts the default SSH socket for them: one relay socket per
// build, served on first use in a private directory under the store's tmp and closed with the build. HTTP(S)
// remotes send the credentials of the GIT_AUTH_TOKEN / GIT_AUTH_HEADER secrets (git/http-auth.ts).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { type GitHttpAuth, gitHttpAuth } from '../git/index.js';
import { readSecretSource } from './secret-source.js';
import { type AgentSocket, type SshSource, serveAgentSocket } from './ssh-forward.js';
import type { SecretSource } from './step-env.js';

export interface GitAgent {
  /** The agent socket for `remote`, or undefined (not an SSH remote, or no `--ssh default`). */
  socketFor(remote: string): Promise<string | undefined>;
  /** The credentials for `remote` among the build's secrets, or undefined (not HTTP(S), or none given). */
  httpAuthFor(remote: string): Promise<GitHttpAuth | undefined>;
  close(): Promise<void>;
}

export function isSshRemote(remote: string): boolean {
  return /^ssh:\/\//i.test(remote) || /^[a-zA-Z0-9-_]+@[a-zA-Z0-9-.]+:/.test(remote);
}

export function gitAgent(
  ssh: ReadonlyMap<string, SshSource> | undefined,
  tmpRoot: string,
  secrets: ReadonlyMap<string, SecretSource> = new Map(),
): GitAgent {
  const source = ssh?.get('default');
  let serving: Promise<{ socket: AgentSocket; dir: string }> | null = null;
  // Asked for each git command of a remote (resolve, fetch, checkout): its secrets are read once per build.
  const credentials = new Map<string, Promise<GitHttpAuth | undefined>>();
  return {
    httpAuthFor(remote) {
      let found = credentials.get(remote);
      if (found === undefined) {
        found = gitHttpAuth(remote, (id) => readSecretSource(secrets.get(id)));
        credentials.set(remote, found);
      }
      return found;
    },
    async socketFor(remote) {
      if (source === undefined || !isSshRemote(remote)) return undefined;
      serving ??= (async () => {
        await mkdir(tmpRoot, { recursive: true });
        const dir = await mkdtemp(path.join(tmpRoot, 'git-ssh-'));
        const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, mode: 0o600 };
        return { socket: await serveAgentSocket(source, dir, owner), dir };
      })();
      return (await serving).socket.path;
    },
    async close() {
      if (serving === null) return;
      const { socket, dir } = await serving.catch(() => ({ socket: null, dir: null }));
      await socket?.close();
      if (dir !== null) await rm(dir, { recursive: true, force: true });
    },
  };
}
