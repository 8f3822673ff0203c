// Real containers: runc over an overlay of the busybox fixture. Every command here runs inside runc.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunSpec, listMountsUnder, RuntimeError, runContainer } from '../../executor/index.js';
import { busyboxRootfs, describeEntries, isolationUnavailable, removeScratch, runStep, scratchDir } from './helpers.js';

const skipReason = isolationUnavailable();
if (skipReason !== undefined) console.warn(`skipping RUN isolation tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('RUN isolation with runc', () => {
  let rootfs: string;
  let dir: string;

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    dir = await scratchDir();
  });
  afterAll(async () => {
    expect(await listMountsUnder(dir)).toEqual([]);
    await removeScratch(dir);
  });

  it('runs sh -c and streams its stdout and stderr', async () => {
    const result = await runStep(dir, [rootfs], { args: ['/bin/sh', '-c', 'echo hi; echo oops >&2; exit 3'] });
    expect(result).toMatchObject({ exitCode: 3, stdout: 'hi\n', stderr: 'oops\n', entries: [] });
  });

  it('has its own hostname, /etc/hosts and process list', async () => {
    const result = await runStep(dir, [rootfs], {
      hostname: 'foo',
      args: [
        '/bin/sh',
        '-c',
        'hostname; echo $HOSTNAME; cat /etc/hostname; grep foo /etc/hosts; ps -o pid,comm; exit 0',
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(hostHostname()).not.toBe('foo');
    const [name, env, file, hosts, header, ...processes] = result.stdout.trimEnd().split('\n');
    expect([name, env, file, hosts, header]).toEqual([
      'foo',
      'foo',
      'foo',
      '127.0.0.1\tlocalhost foo',
      'PID   COMMAND',
    ]);
    // Only the step's shell (pid 1 of the new namespace) and ps itself.
    expect(processes.map((line) => line.trim().replace(/^\d+ /, (pid) => (pid === '1 ' ? '1 ' : 'N ')))).toEqual([
      '1 sh',
      'N ps',
    ]);
  });

  it('runs as root with the wheel group, and as other users without capabilities', async () => {
    const root = await runStep(dir, [rootfs], { args: ['id'] });
    expect(root.stdout).toBe('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
    const other = await runStep(dir, [rootfs], {
      uid: 1234,
      gid: 0,
      additionalGids: [0],
      args: ['/bin/sh', '-c', 'id; grep CapEff /proc/self/status; touch /etc/x'],
    });
    expect(other.stdout).toBe('uid=1234 gid=0(root) groups=0(root)\nCapEff:\t0000000000000000\n');
    expect(other.stderr).toBe('touch: /etc/x: Permission denied\n');
    expect(other.exitCode).toBe(1);
  });

  it('runs under Docker’s seccomp profile: no new namespace (not even a user one), no mount; fork still works', async () => {
    const script = [
      'grep "^Seccomp:" /proc/self/status',
      'unshare -U true; echo "user namespace: $?"',
      'unshare -m true; echo "mount namespace: $?"',
      'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m; echo "mount: $?"',
      '(echo child) & wait; echo "fork: $?"',
    ].join('; ');
    const result = await runStep(dir, [rootfs], { args: ['/bin/sh', '-c', script] });
    expect(result.stdout).toBe('Seccomp:\t2\nuser namespace: 1\nmount namespace: 1\nmount: 1\nchild\nfork: 0\n');
    expect(result.stderr).toBe(
      'unshare: unshare(0x10000000): Operation not permitted\n' +
        'unshare: unshare(0x20000): Operation not permitted\n' +
        'mount: permission denied (are you root?)\n',
    );
  });

  it('records a written file in the upper dir and the diff', async () => {
    const result = await runStep(dir, [rootfs], {
      args: ['/bin/sh', '-c', 'mkdir -p /app && echo hello > /app/greeting && chmod 640 /app/greeting'],
    });
    expect(result.exitCode).toBe(0);
    expect(await readFile(path.join(result.upperDir, 'app/greeting'), 'utf8')).toBe('hello\n');
    expect(describeEntries(result.entries)).toEqual(['dir app 755 0:0', 'file app/greeting 640 0:0']);
    const file = result.entries[1];
    expect(file.size).toBe(6);
    expect(file.sourcePath).toBe(path.join(result.upperDir, 'app/greeting'));
  });

  it('turns rm of a lower file into a whiteout and a replaced dir into an opaque one', async () => {
    const result = await runStep(dir, [rootfs], {
      args: ['/bin/sh', '-c', 'rm /etc/shadow && rm -r /var/spool && mkdir /var/spool && touch /var/spool/new'],
    });
    expect(result.exitCode).toBe(0);
    expect(describeEntries(result.entries)).toEqual([
      'dir etc 755 0:0',
      'file etc/.wh.shadow 600 0:0',
      'dir var 755 0:0',
      'dir var/spool 755 0:0',
      'file var/spool/.wh..wh..opq 755 0:0',
      'file var/spool/new 644 0:0',
    ]);
    expect(result.entries.map((entry) => entry.whiteout)).toEqual([
      undefined,
      'file',
      undefined,
      undefined,
      'opaque',
      undefined,
    ]);
  });

  it('runs on top of 60 more layers and diffs against all of them', async () => {
    const layers: string[] = [];
    for (let i = 0; i < 60; i++) {
      const layer = path.join(dir, `L${i.toString(36)}`);
      await mkdir(path.join(layer, 'layers'), { recursive: true });
      await writeFile(path.join(layer, 'layers', `n${i}`), `${i}\n`);
      layers.unshift(layer);
    }
    const result = await runStep(dir, [...layers, rootfs], {
      args: ['/bin/sh', '-c', 'ls /layers | wc -l; cat /layers/n59; rm /layers/n0'],
    });
    expect(result.stdout).toBe('60\n59\n');
    expect(describeEntries(result.entries)).toEqual(['dir layers 755 0:0', 'file layers/.wh.n0 600 0:0']);
  });

  it('measures the per-step overhead (mount, runc run of true, diff, umount)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const result = await runStep(dir, [rootfs], { args: ['/bin/true'] });
      times.push(performance.now() - started);
      expect(result).toMatchObject({ exitCode: 0, entries: [] });
    }
    times.sort((a, b) => a - b);
    console.info(`per-step overhead: median ${times[2].toFixed(0)} ms, min ${times[0].toFixed(0)} ms`);
  });

  it('has only lo with network none', async () => {
    const result = await runStep(dir, [rootfs], { network: 'none', args: ['/bin/sh', '-c', 'ls /sys/class/net'] });
    expect(result.stdout).toBe('lo\n');
  });

  it('keeps the host network by default', async () => {
    const result = await runStep(dir, [rootfs], { args: ['/bin/sh', '-c', 'ls /sys/class/net | grep -c .'] });
    expect(Number(result.stdout.trim())).toBeGreaterThan(1);
  });

  it('cannot reach host files through a symlink written in the step', async () => {
    const before = createHash('sha256')
      .update(await readFile('/etc/shadow'))
      .digest('hex');
    const mtime = (await stat('/etc/shadow')).mtimeMs;
    const result = await runStep(dir, [rootfs], {
      args: [
        '/bin/sh',
        '-c',
        'ln -s /etc/shadow /tmp/evil && echo pwned > /tmp/evil && ln -s ../../../../../../etc/passwd /tmp/up && echo pwned >> /tmp/up',
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(
      createHash('sha256')
        .update(await readFile('/etc/shadow'))
        .digest('hex'),
    ).toBe(before);
    expect((await stat('/etc/shadow')).mtimeMs).toBe(mtime);
    expect(await readFile('/etc/passwd', 'utf8')).not.toContain('pwned');
    // The writes landed in the container's own files, recorded in the layer.
    expect(describeEntries(result.entries)).toEqual([
      'dir etc 755 0:0',
      'file etc/passwd 644 0:0',
      'file etc/shadow 600 0:0',
      'dir tmp 1777 0:0',
      'symlink tmp/evil 777 0:0 -> /etc/shadow',
      'symlink tmp/up 777 0:0 -> ../../../../../../etc/passwd',
    ]);
    expect(await readFile(path.join(result.upperDir, 'etc/shadow'), 'utf8')).toBe('pwned\n');
  });

  it('does not leave runtime mount points or stub parents in the layer', async () => {
    const cache = await scratchDir();
    const result = await runStep(dir, [rootfs], {
      mounts: [
        { type: 'bind', source: cache, target: '/mnt/deep/cache', readonly: false },
        { type: 'tmpfs', target: '/run/t', size: 1 << 20 },
      ],
      args: ['/bin/sh', '-c', 'echo c > /mnt/deep/cache/f && echo t > /run/t/f && ls /proc/self/fd/ >/dev/null'],
    });
    expect(result.exitCode).toBe(0);
    expect(result.entries).toEqual([]);
    expect(await readdir(result.upperDir)).toEqual([]); // the stubs were pruned from the upper dir too
    expect(await readFile(path.join(cache, 'f'), 'utf8')).toBe('c\n');
    await removeScratch(cache);
  });

  it('fails with a RuntimeError when the command does not exist, and unmounts', async () => {
    await expect(runStep(dir, [rootfs], { args: ['/no/such/program'] })).rejects.toThrow(RuntimeError);
    await expect(runStep(dir, [rootfs], { args: ['/no/such/program'] })).rejects.toThrow(
      /exec: "\/no\/such\/program": stat \/no\/such\/program: no such file or directory/,
    );
    expect(await listMountsUnder(dir)).toEqual([]);
  });

  it('a bundle that cannot be written fails with its own error, before runc runs', async () => {
    const notADir = path.join(dir, 'bundle-file');
    await writeFile(notADir, 'x');
    const spec = createRunSpec({
      rootfs,
      args: ['true'],
      env: [],
      cwd: '/',
      uid: 0,
      gid: 0,
      hostname: 'h',
      networkFiles: { hosts: notADir, resolvConf: notADir, hostname: notADir },
    });
    const attempt = runContainer({ spec, bundleDir: path.join(notADir, 'bundle') });
    await expect(attempt).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(attempt).rejects.not.toThrow(RuntimeError);
  });

  it('kills the container on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const result = await runStep(dir, [rootfs], { args: ['/bin/sleep', '30'], signal: controller.signal });
    expect(result.exitCode).toBe(137);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await listMountsUnder(dir)).toEqual([]);
  });
});
