// SSH remotes of git sources get the `--ssh default` agent (BuildKit mounts it for them): a relay socket served
// on first use under the store's tmp, offering the agent's keys; other remotes, or no `--ssh default`, get none.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { gitAgent, isSshRemote } from '../../executor/index.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-gitssh-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

function hasSshTools(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v ssh-add && command -v ssh-keygen'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('git over SSH', () => {
  it('tells SSH remotes from the others', () => {
    expect(['git@github.com:a/b.git', 'ssh://git@h:22/r.git', 'SSH://h/r'].map(isSshRemote)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['https://h/r.git', 'git://h/r', 'http://u@h/r.git'].map(isSshRemote)).toEqual([false, false, false]);
  });

  it.skipIf(!hasSshTools())('serves the default agent’s keys to SSH remotes only, and removes its socket', async () => {
    const key = path.join(tmp, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'git-test', '-f', key]);
    const store = path.join(tmp, 'store-tmp');
    const agent = gitAgent(new Map([['default', { paths: [key] }]]), store);
    expect(await agent.socketFor('https://h/r.git')).toBeUndefined();
    const socket = (await agent.socketFor('git@h:r.git')) as string;
    expect(await agent.socketFor('ssh://h/other.git')).toBe(socket);
    // Asynchronously: the relay runs on this process's event loop.
    const { stdout } = await promisify(execFile)('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: socket } });
    expect(stdout).toContain('git-test (ED25519)');
    await agent.close();
    expect(existsSync(socket)).toBe(false);
    expect(await readdir(store)).toEqual([]);
    // No `--ssh default`: no agent at all.
    expect(await gitAgent(new Map(), store).socketFor('git@h:r.git')).toBeUndefined();
  });
});
