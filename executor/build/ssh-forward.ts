// RUN --mount=type=ssh: for the length of the step tsbuild serves a socket of its own, bind-mounted
// at the mount's target with its uid/gid/mode, and relays every connection to the agent that
// `--ssh ID=…` named (the host agent's socket, or an agent tsbuild runs for key files). The socket
// lives outside the rootfs, so it is in no layer; the agent and its keys are in no cache key.
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadAgentKeys, serveKeyAgent } from './ssh-agent.js';

/** What `--ssh ID=…` names: one agent socket, or private key files an in-process agent offers. */
export interface SshSource {
  readonly paths: readonly string[];
}

export interface SocketOwner {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

export interface AgentSocket {
  /** The socket the container connects to (a host path). */
  readonly path: string;
  close(): Promise<void>;
}

export class SshForwardError extends Error {
  readonly code = 'E_SSH_FORWARD';
}

// sockaddr_un holds 108 bytes including the terminating NUL.
const maxSocketPath = 107;

/** Serves `source` on a new socket in `dir` (or a private temp dir when that path is too long). */
export async function serveAgentSocket(source: SshSource, dir: string, owner: SocketOwner): Promise<AgentSocket> {
  const connect = await upstreamOf(source);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const name = `agent-${randomBytes(3).toString('hex')}.sock`;
  let socketDir = dir;
  let ownDir = false;
  if (path.join(dir, name).length > maxSocketPath) {
    socketDir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-ssh-'));
    ownDir = true;
  }
  const socketPath = path.join(socketDir, name);
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    connect(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  try {
    await chown(socketPath, owner.uid, owner.gid);
    await chmod(socketPath, owner.mode);
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    path: socketPath,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDir) await rm(socketDir, { recursive: true, force: true });
    },
  };
}

type Connect = (client: net.Socket) => void;

/** One socket path is an agent to relay to; otherwise the paths are key files. */
async function upstreamOf(source: SshSource): Promise<Connect> {
  if (source.paths.length === 0) throw new SshForwardError('no ssh agent socket or key given');
  if (source.paths.length === 1) {
    const info = await stat(source.paths[0]).catch(() => {
      throw new SshForwardError(`ssh agent socket or key ${source.paths[0]}: not found`);
    });
    if (info.isSocket()) return relayTo(source.paths[0]);
  }
  const keys = await loadAgentKeys(source.paths);
  return (client) => serveKeyAgent(client, keys);
}

function relayTo(agentPath: string): Connect {
  return (client) => {
    const upstream = net.connect(agentPath);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.pipe(upstream);
    upstream.pipe(client);
  };
}
