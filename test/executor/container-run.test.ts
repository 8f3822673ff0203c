// `tsbuild run` with real runc (root): the busybox fixture imported into a private store, variants
// of its config for the ENTRYPOINT/CMD rules, and images built from Dockerfiles for shell forms and
// users. Every run must leave no mount, no work dir and unchanged layer snapshots behind.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunCliOptions, run, runArgv } from '../../cli/commands/run/run.js';
import { build, listMountsUnder, silentProgress } from '../../executor/index.js';
import { hostDevices } from '../../executor/runtime/privileged.js';
import { hostPlatform, OciMediaType, type Store } from '../../image/index.js';
import {
  busyboxPathEnv as busyboxPath,
  containerTestDir,
  removeTestDir,
  storeWithBusybox,
  tagVariant,
} from './container-store.js';
import { isolationUnavailable } from './helpers.js';

interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild run (runc)', () => {
  let store: Store;
  let contexts: string;

  async function tsbuildRun(
    image: string,
    args: readonly string[],
    opts: Partial<RunCliOptions> = {},
    signal?: AbortSignal,
  ): Promise<Captured> {
    let stdout = '';
    let stderr = '';
    const code = await run(
      { image, args, root: store.root, ...opts },
      {
        stdout: (d) => {
          stdout += Buffer.from(d).toString('utf8');
        },
        stderr: (d) => {
          stderr += Buffer.from(d).toString('utf8');
        },
        env: { FROM_HOST: 'host value' },
        ...(signal === undefined ? {} : { signal }),
      },
    );
    return { code, stdout, stderr };
  }

  async function buildImage(tag: string, dockerfile: string): Promise<void> {
    const ctx = path.join(contexts, tag.replace(/[^a-z0-9]/g, ''));
    await mkdir(ctx, { recursive: true });
    await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
    await build({
      store,
      contextDir: ctx,
      dockerfile: path.join(ctx, 'Dockerfile'),
      tags: [tag],
      progress: silentProgress,
    });
  }

  function snapshotListing(): string {
    // The snapshots dir itself changes (work dirs come and go); every snapshot below it must not.
    return execFileSync('find', [store.paths.snapshots, '-mindepth', '1', '-printf', '%P %y %m %U:%G %s %T@\n'], {
      encoding: 'utf8',
    })
      .split('\n')
      .sort()
      .join('\n');
  }

  async function leftovers(): Promise<string[]> {
    const work = (await readdir(store.paths.snapshots)).filter((name) => name.startsWith('tr-'));
    const mounts = (await listMountsUnder(store.root)).map((m) => m.target);
    return [...work, ...mounts];
  }

  beforeAll(async () => {
    store = await storeWithBusybox();
    contexts = await containerTestDir('c');
    await tagVariant(store, 'exec-entry', { Env: [busyboxPath], Entrypoint: ['echo', 'e'], Cmd: ['c'] });
    await tagVariant(store, 'shell-entry', { Env: [busyboxPath], Entrypoint: ['/bin/sh', '-c', 'echo e'], Cmd: ['c'] });
    await tagVariant(store, 'shell-cmd', {
      Env: [busyboxPath],
      Entrypoint: ['echo'],
      Cmd: ['/bin/sh', '-c', 'echo c'],
    });
    await tagVariant(store, 'nocmd', { Env: [busyboxPath] });
    await tagVariant(store, 'configured', {
      Env: [busyboxPath, 'FOO=image', 'KEEP=1'],
      Cmd: ['sh', '-c', 'echo "$FOO $KEEP $(pwd) $(id -u)"'],
      WorkingDir: '/srv/app',
      User: 'nobody',
    });
  }, 120_000);

  afterAll(async () => {
    await removeTestDir(store?.root);
    await removeTestDir(contexts);
  });

  it("warns, as docker does, when the image is not of this machine's platform (an index of other platforms only)", async () => {
    // busybox's own (this machine's) files under a config that names arm64: what a pull for arm64 or a
    // multi-platform build leaves, minus the emulator the programs would need.
    const base = await store.resolve('busybox');
    const config = await store.putConfig({ ...base.config, architecture: 'arm64', variant: 'v8' });
    const manifest = await store.putManifest({ ...base.manifest, config });
    const index = await store.putManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.index,
      manifests: [{ ...manifest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }],
    });
    await store.tag('arm-only', index.digest);
    const host = hostPlatform();
    const hostText = [host.os, host.architecture, host.variant].filter(Boolean).join('/');
    expect(await tsbuildRun('arm-only', ['echo', 'ran'])).toEqual({
      code: 0,
      stdout: 'ran\n',
      stderr: `WARNING: The requested image's platform (linux/arm64/v8) does not match the detected host platform (${hostText}) and no specific platform was requested\n`,
    });
    expect((await tsbuildRun('busybox', ['true'])).stderr).toBe('');
  });

  it('runs a command and prints its output: `run busybox echo hi`', async () => {
    expect(await tsbuildRun('busybox', ['echo', 'hi'])).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
  });

  it('runArgv: the raw command line, options before the image and the container’s after it', async () => {
    let stdout = '';
    const io = {
      stdout: (d: string | Uint8Array) => {
        stdout += Buffer.from(d).toString('utf8');
      },
      stderr: () => {},
      env: {},
    };
    const code = await runArgv(['--rm', '--root', store.root, '-u', 'nobody', 'busybox', 'id', '-u'], io);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '65534\n' });
  });

  it('-i passes standard input to the container; without it the container reads nothing', async () => {
    const runWith = async (flags: string[]) => {
      let stdout = '';
      const io = {
        stdout: (d: string | Uint8Array) => {
          stdout += Buffer.from(d).toString('utf8');
        },
        stderr: () => {},
        env: {},
        stdin: Readable.from([Buffer.from('line one\nline two\n')]),
      };
      const code = await runArgv([...flags, '--root', store.root, 'busybox', 'wc', '-l'], io);
      return { code, stdout: stdout.trim() };
    };
    expect(await runWith(['-i'])).toEqual({ code: 0, stdout: '2' });
    expect(await runWith([])).toEqual({ code: 0, stdout: '0' });
  });

  it('exits with the container’s exit code, and streams stderr apart', async () => {
    expect(await tsbuildRun('busybox', ['sh', '-c', 'exit 3'])).toEqual({ code: 3, stdout: '', stderr: '' });
    expect(await tsbuildRun('busybox', ['sh', '-c', 'echo out; echo err >&2; exit 42'])).toEqual({
      code: 42,
      stdout: 'out\n',
      stderr: 'err\n',
    });
  });

  it('streams output while the container runs', async () => {
    const started = performance.now();
    let firstAt = 0;
    const code = await run(
      { image: 'busybox', args: ['sh', '-c', 'echo first; sleep 1.5; echo second'], root: store.root },
      {
        stdout: () => {
          firstAt ||= performance.now();
        },
        stderr: () => {},
        env: {},
      },
    );
    const total = performance.now() - started;
    expect(code).toBe(0);
    expect(total - (firstAt - started)).toBeGreaterThan(1000);
  });

  it('uses the image CMD when no arguments are given (busybox: sh with no stdin exits 0)', async () => {
    expect(await tsbuildRun('busybox', [])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('ENTRYPOINT exec form + CMD, run args replace CMD', async () => {
    expect((await tsbuildRun('exec-entry', [])).stdout).toBe('e c\n');
    expect((await tsbuildRun('exec-entry', ['x', 'y'])).stdout).toBe('e x y\n');
  });

  it('a shell-form ENTRYPOINT ignores CMD and run args', async () => {
    expect((await tsbuildRun('shell-entry', [])).stdout).toBe('e\n');
    expect((await tsbuildRun('shell-entry', ['x'])).stdout).toBe('e\n');
  });

  it('a shell-form CMD follows an exec-form ENTRYPOINT as /bin/sh -c …', async () => {
    expect((await tsbuildRun('shell-cmd', [])).stdout).toBe('/bin/sh -c echo c\n');
  });

  it('--entrypoint replaces ENTRYPOINT and resets CMD; --entrypoint "" leaves the args', async () => {
    expect((await tsbuildRun('exec-entry', [], { entrypoint: 'echo' })).stdout).toBe('\n');
    expect((await tsbuildRun('exec-entry', ['a', 'b'], { entrypoint: 'echo' })).stdout).toBe('a b\n');
    expect((await tsbuildRun('exec-entry', ['echo', 'only'], { entrypoint: '' })).stdout).toBe('only\n');
  });

  it('an image without a command and no args is error 125', async () => {
    expect(await tsbuildRun('nocmd', [])).toEqual({ code: 125, stdout: '', stderr: 'Error: no command specified\n' });
  });

  it('a command that does not exist is 127; an image not in the store is 125', async () => {
    const missing = await tsbuildRun('busybox', ['no-such-command']);
    expect(missing.code).toBe(127);
    // Said once: runc's own line, not again as tsbuild's error.
    expect(missing.stderr.split('\n').filter((line) => line.includes('no-such-command'))).toHaveLength(1);
    const noImage = await tsbuildRun('nosuchimage:1', ['true']);
    expect(noImage.code).toBe(125);
    expect(noImage.stderr).toMatch(/^Error: image nosuchimage:1 is not in the local store: /);
  });

  it('takes env, working dir and user from the image config', async () => {
    expect(await tsbuildRun('configured', [])).toEqual({ code: 0, stdout: 'image 1 /srv/app 65534\n', stderr: '' });
  });

  it('-e, -w and -u override the image config', async () => {
    const out = await tsbuildRun('configured', [], { env: ['FOO=cli', 'FROM_HOST'], workdir: '/tmp', user: '0' });
    expect(out.stdout).toBe('cli 1 /tmp 0\n');
    const env = await tsbuildRun('configured', ['env'], { env: ['FOO=cli', 'FROM_HOST', 'NOT_SET'], hostname: 'box' });
    expect(env.stdout).toBe(`${busyboxPath}\nHOSTNAME=box\nFOO=cli\nKEEP=1\nFROM_HOST=host value\nHOME=/home\n`);
  });

  it('the default env and hostname are docker’s: PATH, HOSTNAME (12 hex digits), HOME', async () => {
    // `env` itself, not through sh: ash re-exports variables in its own order.
    const env = await tsbuildRun('busybox', ['env']);
    const [pathLine, hostLine, homeLine] = env.stdout.trimEnd().split('\n');
    const names = await tsbuildRun('busybox', ['sh', '-c', 'hostname; cat /etc/hostname']);
    const [name, fileName] = names.stdout.trimEnd().split('\n');
    expect(pathLine).toBe(busyboxPath);
    expect(hostLine).toMatch(/^HOSTNAME=[0-9a-f]{12}$/);
    expect(homeLine).toBe('HOME=/root');
    expect([name, fileName]).toEqual([expect.stringMatching(/^[0-9a-f]{12}$/), name]);
  });

  it('-u resolves names, numeric ids and uid:gid in the image’s passwd and group', async () => {
    expect((await tsbuildRun('busybox', ['id', '-u'], { user: 'nobody' })).stdout).toBe('65534\n');
    expect((await tsbuildRun('busybox', ['id'])).stdout).toBe('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
    expect((await tsbuildRun('busybox', ['id'], { user: 'nobody' })).stdout).toBe(
      'uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n',
    );
    expect((await tsbuildRun('busybox', ['id'], { user: '1234:mail' })).stdout).toBe(
      'uid=1234 gid=8(mail) groups=8(mail)\n',
    );
    expect((await tsbuildRun('busybox', ['id'], { user: '1234' })).stdout).toBe(
      'uid=1234 gid=0(root) groups=0(root)\n',
    );
    const unknown = await tsbuildRun('busybox', ['id'], { user: 'ghost' });
    expect(unknown).toEqual({
      code: 125,
      stdout: '',
      stderr: 'Error: unable to find user ghost: no matching entries in passwd file\n',
    });
  });

  it('a user from a built image gets its supplementary groups; USER and shell forms come from the Dockerfile', async () => {
    await buildImage(
      'users:1',
      [
        'FROM busybox',
        "RUN echo 'alice:x:1500:1500:Alice:/home/alice:/bin/sh' >> /etc/passwd && \\",
        "    echo 'alice:x:1500:' >> /etc/group && echo 'devs:x:2000:bob,alice' >> /etc/group",
        'USER alice',
        'ENTRYPOINT echo "entry $0 $(id)"',
        'CMD ["ignored"]',
        '',
      ].join('\n'),
    );
    // As in docker, CMD or the run args only fill the shell's $0 (and $1 …) after the script.
    expect((await tsbuildRun('users:1', [])).stdout).toBe(
      'entry ignored uid=1500(alice) gid=1500(alice) groups=1500(alice),2000(devs)\n',
    );
    expect((await tsbuildRun('users:1', ['args'])).stdout).toBe(
      'entry args uid=1500(alice) gid=1500(alice) groups=1500(alice),2000(devs)\n',
    );
    expect((await tsbuildRun('users:1', ['-c', 'echo $HOME'], { entrypoint: 'sh' })).stdout).toBe('/home/alice\n');
  });

  it('--network none has only lo; the default is the host network', async () => {
    const interfaces = (out: string) =>
      out
        .split('\n')
        .slice(2)
        .map((l) => l.split(':')[0].trim())
        .filter((n) => n !== '');
    const none = await tsbuildRun('busybox', ['cat', '/proc/net/dev'], { network: 'none' });
    expect(none.code).toBe(0);
    expect(interfaces(none.stdout)).toEqual(['lo']);
    const host = await tsbuildRun('busybox', ['cat', '/proc/net/dev']);
    expect(interfaces(host.stdout).sort()).toEqual(
      interfaces(execFileSync('cat', ['/proc/net/dev'], { encoding: 'utf8' })).sort(),
    );
    expect((await tsbuildRun('busybox', ['true'], { network: 'bridge' })).code).toBe(125);
  });

  it('-v binds host paths: read-only with :ro, writes through otherwise; a missing host path is error 125', async () => {
    const host = await containerTestDir('v');
    await writeFile(path.join(host, 'in.txt'), 'from the host\n');
    await writeFile(path.join(host, 'single'), 'one file\n');
    const ro = await tsbuildRun(
      'busybox',
      ['sh', '-c', 'cat /data/in.txt /etc/one; echo x > /data/new || echo refused'],
      {
        volumes: [`${host}:/data:ro`, `${path.join(host, 'single')}:/etc/one`],
      },
    );
    expect(ro.code).toBe(0);
    expect(ro.stdout).toBe('from the host\none file\nrefused\n');
    const rw = await tsbuildRun('busybox', ['sh', '-c', 'echo written > /mnt/deep/dir/out.txt'], {
      volumes: [`${host}:/mnt/deep/dir`],
    });
    expect(rw).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(path.join(host, 'out.txt'), 'utf8')).toBe('written\n');
    const missing = await tsbuildRun('busybox', ['true'], { volumes: [`${path.join(host, 'nope')}:/x`] });
    expect(missing).toEqual({
      code: 125,
      stdout: '',
      stderr: `Error: invalid volume: ${path.join(host, 'nope')} does not exist on the host\n`,
    });
    const named = await tsbuildRun('busybox', ['true'], { volumes: ['cache:/x'] });
    expect(named.code).toBe(125);
    expect(named.stderr).toBe(
      'Error: invalid volume "cache:/x": cache is not an absolute host path (tsbuild run has no named volumes)\n',
    );
    expect(await leftovers()).toEqual([]);
    await removeTestDir(host);
  });

  it("--privileged runs without seccomp, with every capability tsbuild holds and the host's devices", async () => {
    const base =
      'grep -E "^(CapEff|Seccomp):" /proc/self/status; mkdir -p /mnt/t; mount -t tmpfs none /mnt/t && echo mounted; ';
    // As docker: every character and block device of the host's /dev, at its path (a nested one too), and not the
    // nodes BuildKit makes for a privileged RUN step that the host lacks.
    const host = hostDevices();
    const present = [
      host.find((d) => d.type === 'b' && !d.path.startsWith('/dev/loop')),
      host.find((d) => d.path.split('/').length > 3),
    ].flatMap((d) => (d === undefined ? [] : [d]));
    const absent = ['/dev/cuse', '/dev/kvm', '/dev/fuse', '/dev/net/tun'].find((p) => !existsSync(p));
    const devices =
      present.map((d) => `test -${d.type} ${d.path} && echo ${d.path}; `).join('') +
      (absent === undefined ? '' : `test -e ${absent} || echo no ${absent}; `);
    const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile('/proc/self/status', 'latin1'))![1];
    const found = present.map((d) => `${d.path}\n`).join('') + (absent === undefined ? '' : `no ${absent}\n`);
    expect(await tsbuildRun('busybox', ['sh', '-c', base + devices], { privileged: true })).toEqual({
      code: 0,
      stdout: `CapEff:\t${bounding}\nSeccomp:\t0\nmounted\n${found}`,
      stderr: '',
    });
    const sandboxed = await tsbuildRun('busybox', ['sh', '-c', `${base} 2>/dev/null`]);
    expect(sandboxed.stdout).toBe('CapEff:\t00000000a80425fb\nSeccomp:\t2\n');
    expect(await leftovers()).toEqual([]);
  });

  it('--env-file variables come before -e ones; --read-only refuses writes to the root but not to /dev/shm', async () => {
    const dir = await containerTestDir('e');
    const envFile = path.join(dir, 'run.env');
    await writeFile(envFile, '# settings\nA=from-file\nB=file\nFROM_HOST\n');
    const env = await tsbuildRun('busybox', ['sh', '-c', 'echo "$A $B $FROM_HOST"'], {
      envFiles: [envFile],
      env: ['B=flag'],
    });
    expect(env).toEqual({ code: 0, stdout: 'from-file flag host value\n', stderr: '' });
    const missing = await tsbuildRun('busybox', ['true'], { envFiles: [path.join(dir, 'none.env')] });
    expect(missing).toEqual({
      code: 125,
      stdout: '',
      stderr: `Error: open ${path.join(dir, 'none.env')}: no such file or directory\n`,
    });
    const readOnly = await tsbuildRun(
      'busybox',
      ['sh', '-c', 'touch /new 2>/dev/null || echo refused; echo ok > /dev/shm/x && cat /dev/shm/x'],
      { readOnly: true },
    );
    expect(readOnly).toEqual({ code: 0, stdout: 'refused\nok\n', stderr: '' });
    expect(await leftovers()).toEqual([]);
    await removeTestDir(dir);
  });

  it('--tmpfs and --mount: a tmpfs with its options, a bind read-only, nothing left in the host', async () => {
    const host = await containerTestDir('m');
    await writeFile(path.join(host, 'in.txt'), 'bound\n');
    const out = await tsbuildRun(
      'busybox',
      ['sh', '-c', 'grep -E " /(run|cache) " /proc/self/mountinfo; cat /data/in.txt; echo x > /data/n || echo refused'],
      {
        tmpfs: ['/run:size=1m,exec'],
        mounts: [`type=bind,source=${host},target=/data,readonly`, 'type=tmpfs,dst=/cache,tmpfs-size=65536'],
      },
    );
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    // Mount options are the sixth field of a mountinfo line: `exec` given last undoes docker's default noexec.
    const options = (where: string) =>
      lines
        .find((l) => l.split(' ')[4] === where)
        ?.split(' ')[5]
        ?.split(',');
    expect(options('/run')).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev']));
    expect(options('/run')).not.toContain('noexec');
    expect(options('/cache')).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev', 'noexec']));
    expect(lines.slice(-2)).toEqual(['bound', 'refused']);
    expect(await leftovers()).toEqual([]);
    await removeTestDir(host);
  });

  it("-p only warns, in docker's words (the container is on the host's network); --name changes nothing", async () => {
    expect(await tsbuildRun('busybox', ['echo', 'up'], { publish: ['8080:80'], name: 'web' })).toEqual({
      code: 0,
      stdout: 'up\n',
      stderr: 'WARNING: Published ports are discarded when using host network mode\n',
    });
  });

  it('--add-host, --shm-size and --ulimit as a build gives them to RUN steps; a bad value is error 125', async () => {
    const out = await tsbuildRun(
      'busybox',
      [
        'sh',
        '-c',
        'grep -E "[[:space:]](db|gw)$" /etc/hosts; df -k /dev/shm | tail -1 | awk "{print \\$2}"; ulimit -n',
      ],
      { addHosts: ['db:10.0.0.5', 'gw:host-gateway'], shmSize: '1m', ulimits: ['nofile=512:1024'] },
    );
    expect(out).toEqual({ code: 0, stdout: '10.0.0.5\tdb\n127.0.0.1\tgw\n1024\n512\n', stderr: '' });
    const bad = await tsbuildRun('busybox', ['true'], { ulimits: ['nofile=2:1'] });
    expect(bad.code).toBe(125);
    expect(bad.stderr).toBe(
      'Error: invalid argument "nofile=2:1" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 2 > 1\n',
    );
  });

  it('--cap-drop ALL --cap-add NET_RAW leaves one capability; --cap-add SYS_ADMIN may mount, as under docker', async () => {
    const caps = await tsbuildRun('busybox', ['grep', 'CapEff', '/proc/self/status'], {
      capDrop: ['ALL'],
      capAdd: ['net_raw'],
    });
    expect(caps).toEqual({ code: 0, stdout: 'CapEff:\t0000000000002000\n', stderr: '' });
    const admin = await tsbuildRun(
      'busybox',
      ['sh', '-c', 'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted; grep Seccomp: /proc/self/status'],
      { capAdd: ['SYS_ADMIN'] },
    );
    expect(admin).toEqual({ code: 0, stdout: 'mounted\nSeccomp:\t2\n', stderr: '' });
    const unknown = await tsbuildRun('busybox', ['true'], { capAdd: ['FLY'] });
    expect(unknown).toEqual({ code: 125, stdout: '', stderr: 'Error: unknown capability: "FLY"\n' });
  });

  it('writes stay in the container: snapshots unchanged, nothing mounted or left behind', async () => {
    expect((await tsbuildRun('busybox', ['true'])).code).toBe(0);
    const before = snapshotListing();
    const write = await tsbuildRun('busybox', [
      'sh',
      '-c',
      'echo x > /etc/passwd && rm /bin/ls && mkdir -p /new/dir && echo y > /new/dir/f && chmod 700 /tmp',
    ]);
    expect(write).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(snapshotListing()).toBe(before);
    expect(await leftovers()).toEqual([]);
    const fresh = await tsbuildRun('busybox', [
      'sh',
      '-c',
      'head -1 /etc/passwd; ls /bin/ls; ls /new 2>&1; stat -c %a /tmp',
    ]);
    expect(fresh.stdout).toBe('root:x:0:0:root:/root:/bin/sh\n/bin/ls\nls: /new: No such file or directory\n1777\n');
  });

  it('aborting kills the container and still cleans up', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 500);
    const out = await tsbuildRun('busybox', ['sleep', '30'], {}, controller.signal);
    expect(out.code).toBe(143);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await leftovers()).toEqual([]);
  });
});
