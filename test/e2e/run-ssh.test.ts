// RUN --mount=type=ssh and `--ssh`: the agent tsbuild runs for key files answers the real OpenSSH
// client (list and sign with ed25519, RSA and ECDSA keys), a socket is relayed, and in a build the
// step reaches the agent through the mount (the host's own ssh-add, run inside the container) with
// the mount's owner and mode, while the socket stays out of the layer and the cache key.
import { execFile, execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSshSpecs } from '../../cli/commands/build/ssh-spec.js';
import { prepareMounts, withMountEnv } from '../../executor/build/run-mounts.js';
import type { AgentSocket } from '../../executor/build/ssh-forward.js';
import { serveAgentSocket } from '../../executor/build/ssh-forward.js';
import type { StepEnv } from '../../executor/build/step-env.js';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import type { RunMount } from '../../planner/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const run = promisify(execFile);
const hasOpenSsh = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v ssh-add && command -v ssh-keygen'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const keyTypes = [
  ['ed25519', []],
  ['rsa', ['-b', '2048']],
  ['ecdsa', ['-b', '256']],
] as const;

/** ssh-keygen -l of each public key: "256 SHA256:… comment (ED25519)", as ssh-add -l prints them. */
async function fingerprints(keyDir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const [type] of keyTypes) {
    const { stdout } = await run('ssh-keygen', ['-l', '-f', path.join(keyDir, `${type}.pub`)]);
    lines.push(stdout.trim());
  }
  return lines;
}

async function sshAddList(socket: string): Promise<string> {
  const { stdout } = await run('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  return stdout.trim();
}

describe.skipIf(!hasOpenSsh)('the ssh agent for --ssh ID=KEY files', () => {
  afterAll(removeFreshDirs);
  let keyDir: string;
  let agent: AgentSocket;
  beforeAll(async () => {
    keyDir = await freshDir('k');
    for (const [type, extra] of keyTypes) {
      await run('ssh-keygen', [
        '-q',
        '-t',
        type,
        ...extra,
        '-N',
        '',
        '-C',
        `${type}-key`,
        '-f',
        path.join(keyDir, type),
      ]);
    }
    const keys = keyTypes.map(([type]) => path.join(keyDir, type));
    agent = await serveAgentSocket({ paths: keys }, path.join(keyDir, 'a'), { uid: 0, gid: 0, mode: 0o600 });
  });
  afterAll(async () => agent?.close());

  it('lists every key as ssh-add -l shows it', async () => {
    expect((await sshAddList(agent.path)).split('\n')).toEqual(await fingerprints(keyDir));
  });

  it('signs with each key: ssh-keygen -Y sign through the agent, verified by ssh-keygen -Y verify', async () => {
    for (const [type] of keyTypes) {
      // One message per key: ssh-keygen would ask before overwriting a signature file.
      const message = path.join(keyDir, `${type}.message`);
      await writeFile(message, 'signed through the agent\n');
      const pub = path.join(keyDir, `${type}.pub`);
      // With only the public key at -f, ssh-keygen asks the agent to sign.
      await run('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', pub, message], {
        env: { ...process.env, SSH_AUTH_SOCK: agent.path },
      });
      const signers = path.join(keyDir, `${type}.signers`);
      await writeFile(signers, `me ${await readFile(pub, 'utf8')}`);
      const verify = await run('sh', [
        '-c',
        `ssh-keygen -Y verify -f ${signers} -I me -n file -s ${message}.sig < ${message}`,
      ]);
      expect(verify.stdout.trim()).toMatch(/^Good "file" signature for me with /);
    }
  });

  it('relays a socket: a second socket in front of the agent lists the same keys', async () => {
    const relay = await serveAgentSocket({ paths: [agent.path] }, path.join(keyDir, 'r'), {
      uid: 0,
      gid: 0,
      mode: 0o600,
    });
    try {
      expect((await sshAddList(relay.path)).split('\n')).toEqual(await fingerprints(keyDir));
    } finally {
      await relay.close();
    }
  });

  it('a socket whose path would be too long for a unix address goes to a private temp dir, removed on close', async () => {
    const deep = path.join(keyDir, 'x'.repeat(60), 'y'.repeat(60));
    const relay = await serveAgentSocket({ paths: [agent.path] }, deep, { uid: 0, gid: 0, mode: 0o600 });
    expect(relay.path.startsWith(os.tmpdir())).toBe(true);
    expect((await sshAddList(relay.path)).split('\n')).toEqual(await fingerprints(keyDir));
    await relay.close();
    await expect(stat(path.dirname(relay.path))).rejects.toThrow('ENOENT');
  });

  it('refuses encrypted keys and missing files with the file name', async () => {
    const locked = path.join(keyDir, 'locked');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pass', '-f', locked]);
    await expect(
      serveAgentSocket({ paths: [locked] }, path.join(keyDir, 'e'), { uid: 0, gid: 0, mode: 0o600 }),
    ).rejects.toThrow(`ssh key ${locked}: encrypted keys are not supported: add the key to an agent instead`);
    await expect(
      serveAgentSocket({ paths: [path.join(keyDir, 'nope')] }, path.join(keyDir, 'e'), { uid: 0, gid: 0, mode: 0o600 }),
    ).rejects.toThrow(`ssh agent socket or key ${path.join(keyDir, 'nope')}: not found`);
  });
});

describe('the env of ssh mounts', () => {
  const ssh = (target: string): RunMount => ({
    type: 'ssh',
    target,
    readonly: true,
    from: null,
    origin: null,
    source: null,
    options: { id: 'default' },
  });
  // Nothing here is forwarded and nothing is required: only the env is worked out.
  const env = { signal: undefined } as unknown as StepEnv;

  it('SSH_AUTH_SOCK names the first ssh mount, forwarded or not; none without ssh mounts', async () => {
    const prepared = await prepareMounts(env, [ssh('/run/buildkit/ssh_agent.0'), ssh('/tmp/second')], '/nonexistent');
    expect(prepared.mounts).toEqual([]);
    expect(prepared.env).toEqual(['SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0']);
    expect((await prepareMounts(env, [], '/nonexistent')).env).toEqual([]);
  });

  it('withMountEnv adds the mounts’ entries only for names the step’s env does not set', () => {
    const prepared = { env: ['SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0'], secretEnv: [] };
    expect(withMountEnv(['PATH=/bin'], prepared)).toEqual(['PATH=/bin', 'SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0']);
    expect(withMountEnv(['SSH_AUTH_SOCK=/mine'], prepared)).toEqual(['SSH_AUTH_SOCK=/mine']);
  });
});

describe('--ssh values', () => {
  it('reads default, ID=SOCKET and ID=KEY,KEY; default without a path is $SSH_AUTH_SOCK', () => {
    const parsed = parseSshSpecs(
      ['default', 'git=/run/agent.sock', 'keys=a/k1,/k2'],
      { SSH_AUTH_SOCK: '/tmp/s' },
      '/w',
    );
    expect([...parsed]).toEqual([
      ['default', { paths: ['/tmp/s'] }],
      ['git', { paths: ['/run/agent.sock'] }],
      ['keys', { paths: ['/w/a/k1', '/k2'] }],
    ]);
  });

  it('rejects default without SSH_AUTH_SOCK, and an empty id', () => {
    expect(() => parseSshSpecs(['default'], {})).toThrow(
      'invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set',
    );
    expect(() => parseSshSpecs(['=/x'], {})).toThrow('invalid ssh =/x: an id is required');
  });
});

/** The host's ssh-add and the libraries it loads, to run inside the container through its own ld.so. */
async function sshAddBundle(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { stdout } = await run('ldd', ['/usr/bin/ssh-add']);
  const files = [...stdout.matchAll(/(\/\S+)/g)].map((m) => m[1]);
  for (const file of ['/usr/bin/ssh-add', ...files]) await copyFile(file, path.join(dir, path.basename(file)));
}

describe.skipIf(isolationUnavailable() !== undefined || !hasOpenSsh)('RUN --mount=type=ssh', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let keyDir: string;
  let agent: AgentSocket;
  beforeAll(async () => {
    store = await storeWithBusybox();
    keyDir = await freshDir('k');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'build-key', '-f', path.join(keyDir, 'id')]);
    agent = await serveAgentSocket({ paths: [path.join(keyDir, 'id')] }, path.join(keyDir, 'a'), {
      uid: 0,
      gid: 0,
      mode: 0o600,
    });
  });
  afterAll(async () => agent?.close());

  it('the step lists the forwarded key with ssh-add -l; the socket is in no layer', async () => {
    const ctx = await freshDir('c');
    await sshAddBundle(path.join(ctx, 'sshbin'));
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: [
          'FROM busybox',
          'RUN --mount=type=bind,source=sshbin,target=/sshbin --mount=type=ssh \\',
          '    SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0 /sshbin/ld-linux-x86-64.so.2 --library-path /sshbin \\',
          '    /sshbin/ssh-add -l > /keys; \\',
          '    stat -c "%F %a %u %g" /run/buildkit/ssh_agent.0 > /socket',
          '',
        ].join('\n'),
      },
    ]);
    const build = await buildIn(store, ctx, { ssh: new Map([['default', { paths: [agent.path] }]]) });
    expect(build.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, build.result!.fs, { type: 'local', dest: out });
    const expected = (await run('ssh-keygen', ['-l', '-f', path.join(keyDir, 'id.pub')])).stdout;
    expect(await readFile(path.join(out, 'keys'), 'utf8')).toBe(expected);
    expect(await readFile(path.join(out, 'socket'), 'utf8')).toBe('socket 600 0 0\n');
    const layers = build.result!.fs.layers;
    const listing = execFileSync('tar', ['-tf', store.blobPath(layers[layers.length - 1].digest)], {
      encoding: 'utf8',
    });
    expect(
      listing
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
    ).toEqual(['keys', 'socket']);
  });

  it('target, uid, gid and mode set the socket; the agent is not part of the cache key', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=ssh,id=git,target=/tmp/agent,uid=1000,gid=1001,mode=0660 stat -c "%F %a %u %g" /tmp/agent > /socket\n',
      },
    ]);
    const first = await buildIn(store, ctx, { ssh: new Map([['git', { paths: [agent.path] }]]) });
    expect(first.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, first.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'socket'), 'utf8')).toBe('socket 660 1000 1001\n');
    // Another agent (here: a relay in front of the same one) gives the same key: the step is cached.
    const relay = await serveAgentSocket({ paths: [agent.path] }, path.join(keyDir, 'r'), {
      uid: 0,
      gid: 0,
      mode: 0o600,
    });
    try {
      const again = await buildIn(store, ctx, { ssh: new Map([['git', { paths: [relay.path] }]]) });
      expect(again.log).toMatch(/^#\d+ CACHED$/m);
      expect(again.result?.imageId).toBe(first.result?.imageId);
    } finally {
      await relay.close();
    }
  });

  it('a required ssh mount without --ssh fails; an optional one runs without a socket', async () => {
    const required = await freshDir('c');
    await writeContext(required, [
      { path: 'Dockerfile', content: 'FROM busybox\nRUN --mount=type=ssh,required=true true\n' },
    ]);
    const failed = await buildIn(store, required);
    expect(failed.error?.message).toBe('no SSH key "default" forwarded from the client');

    const optional = await freshDir('c');
    await writeContext(optional, [
      {
        path: 'Dockerfile',
        content:
          'FROM busybox\nRUN --mount=type=ssh (test -e /run/buildkit/ssh_agent.0 && echo yes || echo no) > /there\n',
      },
    ]);
    const ran = await buildIn(store, optional);
    expect(ran.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, ran.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'there'), 'utf8')).toBe('no\n');
  });

  it('SSH_AUTH_SOCK points at the first ssh mount unless the env sets it', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      {
        path: 'Dockerfile',
        content: [
          'FROM busybox',
          'RUN --mount=type=ssh --mount=type=ssh,id=other,target=/tmp/other echo "$SSH_AUTH_SOCK" > /sock',
          'ENV SSH_AUTH_SOCK=/mine',
          'RUN --mount=type=ssh echo "$SSH_AUTH_SOCK" > /mine',
          '',
        ].join('\n'),
      },
    ]);
    const ssh = new Map([
      ['default', { paths: [agent.path] }],
      ['other', { paths: [agent.path] }],
    ]);
    const built = await buildIn(store, ctx, { ssh });
    expect(built.error).toBeNull();
    const out = await freshDir('o');
    await exportFilesystem(store, built.result!.fs, { type: 'local', dest: out });
    expect(await readFile(path.join(out, 'sock'), 'utf8')).toBe('/run/buildkit/ssh_agent.0\n');
    expect(await readFile(path.join(out, 'mine'), 'utf8')).toBe('/mine\n');
  });
});
