// `--ssh default|ID[=SOCKET|KEY[,KEY…]]` (repeatable), as buildx reads it: no paths means the agent
// at $SSH_AUTH_SOCK; one socket is relayed; key files are offered by an agent tsbuild runs.
import path from 'node:path';
import type { SshSource } from '../../../executor/index.js';

export function parseSshSpecs(
  list: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): Map<string, SshSource> {
  const out = new Map<string, SshSource>();
  for (const item of list) {
    const eq = item.indexOf('=');
    const id = eq < 0 ? item : item.slice(0, eq);
    if (id === '') throw new Error(`invalid ssh ${item}: an id is required`);
    let paths =
      eq < 0
        ? []
        : item
            .slice(eq + 1)
            .split(',')
            .filter((p) => p !== '');
    if (paths.length === 0) {
      const socket = env.SSH_AUTH_SOCK;
      if (socket === undefined || socket === '')
        throw new Error('invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set');
      paths = [socket];
    }
    out.set(id, { paths: paths.map((p) => path.resolve(cwd, p)) });
  }
  return out;
}
