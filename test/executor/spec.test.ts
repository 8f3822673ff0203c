import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createRunSpec,
  hostsFileContent,
  mountStubPaths,
  type RunSpecOptions,
  writeNetworkFiles,
} from '../../executor/index.js';
import { storedNetworkFiles } from '../../executor/runtime/network-files.js';
import { specJson } from '../../executor/runtime/oci-spec.js';
import { defaultSeccompProfile } from '../../executor/runtime/seccomp.js';

const base: RunSpecOptions = {
  rootfs: '/snap/m',
  args: ['/bin/sh', '-c', 'echo hi'],
  env: ['PATH=/bin'],
  cwd: '/',
  uid: 0,
  gid: 0,
  additionalGids: [0, 10],
  hostname: 'buildkitsandbox',
  networkFiles: { hosts: '/b/hosts', resolvConf: '/b/resolv.conf', hostname: '/b/hostname' },
};

const dockerCaps = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

describe('createRunSpec', () => {
  it('produces Docker-like defaults', () => {
    expect(createRunSpec({ ...base, cgroupsPath: 'tsbuild/tsb-1' })).toEqual({
      ociVersion: '1.0.2',
      process: {
        terminal: false,
        user: { uid: 0, gid: 0, additionalGids: [0, 10] },
        args: ['/bin/sh', '-c', 'echo hi'],
        env: ['PATH=/bin', 'HOSTNAME=buildkitsandbox'],
        cwd: '/',
        capabilities: {
          bounding: dockerCaps,
          effective: dockerCaps,
          permitted: dockerCaps,
          inheritable: [],
          ambient: [],
        },
        rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }],
        noNewPrivileges: false,
      },
      root: { path: '/snap/m', readonly: false },
      hostname: 'buildkitsandbox',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
        {
          destination: '/dev',
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
        },
        {
          destination: '/dev/pts',
          type: 'devpts',
          source: 'devpts',
          options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
        },
        {
          destination: '/dev/shm',
          type: 'tmpfs',
          source: 'shm',
          options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
        },
        { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
        { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
        {
          destination: '/etc/hosts',
          type: 'bind',
          source: '/b/hosts',
          options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
        },
        {
          destination: '/etc/resolv.conf',
          type: 'bind',
          source: '/b/resolv.conf',
          options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
        },
        {
          destination: '/etc/hostname',
          type: 'bind',
          source: '/b/hostname',
          options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
        },
      ],
      linux: {
        namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
        cgroupsPath: 'tsbuild/tsb-1',
        resources: { devices: [{ allow: false, access: 'rwm' }] },
        maskedPaths: [
          '/proc/asound',
          '/proc/acpi',
          '/proc/interrupts',
          '/proc/kcore',
          '/proc/keys',
          '/proc/latency_stats',
          '/proc/timer_list',
          '/proc/timer_stats',
          '/proc/sched_debug',
          '/proc/scsi',
          '/sys/firmware',
          '/sys/devices/virtual/powercap',
        ],
        readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
        seccomp: defaultSeccompProfile(),
      },
    });
  });

  it('run -t: a terminal, with the console size when one is known', () => {
    const sized = createRunSpec({ ...base, terminal: { consoleSize: { height: 17, width: 91 } } }).process;
    expect([sized.terminal, sized.consoleSize]).toEqual([true, { height: 17, width: 91 }]);
    expect(specJson(createRunSpec({ ...base, terminal: {} }))).toMatch(/"terminal":true,"user"/);
    expect(specJson(createRunSpec(base))).toMatch(/"terminal":false,"user"/);
  });

  it('keeps a HOSTNAME the env already sets', () => {
    expect(createRunSpec({ ...base, env: ['HOSTNAME=mine', 'A=1'] }).process.env).toEqual(['HOSTNAME=mine', 'A=1']);
  });

  it('adds a network namespace only for network none', () => {
    expect(createRunSpec({ ...base, network: 'none' }).linux.namespaces.map((ns) => ns.type)).toEqual([
      'pid',
      'ipc',
      'uts',
      'mount',
      'network',
    ]);
    expect(createRunSpec({ ...base, network: 'host' }).linux.namespaces.map((ns) => ns.type)).not.toContain('network');
  });

  it('gives a non-root user the bounding set but no effective capabilities', () => {
    const spec = createRunSpec({ ...base, uid: 1234, gid: 0, additionalGids: [] });
    expect(spec.process.user).toEqual({ uid: 1234, gid: 0 });
    expect(spec.process.capabilities.bounding).toEqual(dockerCaps);
    expect(spec.process.capabilities.effective).toEqual([]);
    expect(spec.process.capabilities.permitted).toEqual([]);
  });

  it('a privileged step (RUN --security=insecure): the given capabilities, no seccomp, no masked paths, /sys and cgroups writable, devices', () => {
    const caps = ['CAP_CHOWN', 'CAP_SYS_ADMIN'];
    const spec = createRunSpec({ ...base, privileged: { capabilities: caps, loopDevices: 2 } });
    expect(spec.process.capabilities).toEqual({
      bounding: caps,
      effective: caps,
      permitted: caps,
      inheritable: [],
      ambient: [],
    });
    expect(spec.linux).toEqual({
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      resources: {
        devices: [
          { allow: true, type: 'c', access: 'rwm' },
          { allow: true, type: 'b', access: 'rwm' },
        ],
      },
      devices: [
        { path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 },
        { path: '/dev/cuse', type: 'c', major: 10, minor: 203, fileMode: 0o600, uid: 0, gid: 0 },
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
        { path: '/dev/kvm', type: 'c', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 0 },
        { path: '/dev/net/tun', type: 'c', major: 10, minor: 200, fileMode: 0o666, uid: 0, gid: 0 },
        { path: '/dev/loop-control', type: 'c', major: 10, minor: 237, fileMode: 0o660, uid: 0, gid: 0 },
        { path: '/dev/loop0', type: 'b', major: 7, minor: 0, fileMode: 0o660, uid: 0, gid: 0 },
        { path: '/dev/loop1', type: 'b', major: 7, minor: 1, fileMode: 0o660, uid: 0, gid: 0 },
      ],
      maskedPaths: [],
      readonlyPaths: [],
    });
    expect(spec.mounts.filter((m) => m.destination.startsWith('/sys'))).toEqual([
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev'] },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'rw'],
      },
    ]);
    // Nothing else differs from the sandboxed spec.
    const sandboxed = createRunSpec(base);
    expect(spec.mounts.filter((m) => !m.destination.startsWith('/sys'))).toEqual(
      sandboxed.mounts.filter((m) => !m.destination.startsWith('/sys')),
    );
    expect({ ...spec.process, capabilities: null }).toEqual({ ...sandboxed.process, capabilities: null });
    // A non-root user keeps only the bounding set, as in the sandbox.
    const user = createRunSpec({ ...base, uid: 1000, privileged: { capabilities: caps, loopDevices: 0 } });
    expect(user.process.capabilities).toEqual({
      bounding: caps,
      effective: [],
      permitted: [],
      inheritable: [],
      ambient: [],
    });
    expect(user.linux.devices?.map((d) => d.path)).not.toContain('/dev/loop0');
  });

  it('maps RUN --mount binds and tmpfs, and a tmpfs on /dev/shm replaces the default', () => {
    const spec = createRunSpec({
      ...base,
      shmSize: 134217728,
      mounts: [
        { type: 'bind', source: '/ctx', target: '/src/', readonly: true },
        { type: 'bind', source: '/cache', target: '/root/.cache', readonly: false },
        { type: 'tmpfs', target: '/dev/shm', size: 128 * 1024 * 1024 },
        { type: 'tmpfs', target: '/scratch', mode: 0o700 },
      ],
    });
    expect(spec.mounts.filter((m) => m.destination === '/dev/shm')).toEqual([
      { destination: '/dev/shm', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=134217728'] },
    ]);
    expect(spec.mounts.slice(-4)).toEqual([
      { destination: '/src', type: 'bind', source: '/ctx', options: ['rbind', 'ro'] },
      { destination: '/root/.cache', type: 'bind', source: '/cache', options: ['rbind', 'rw'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=134217728'] },
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=0700'] },
    ]);
  });

  it('sizes /dev/shm in KiB and overrides rlimits by type', () => {
    const spec = createRunSpec({
      ...base,
      shmSize: 134217728,
      rlimits: [
        { type: 'RLIMIT_NOFILE', soft: 1062, hard: 1062 },
        { type: 'RLIMIT_NPROC', soft: 10, hard: 20 },
      ],
    });
    expect(spec.mounts.find((m) => m.destination === '/dev/shm')?.options).toContain('size=131072k');
    expect(spec.process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 1062, hard: 1062 },
      { type: 'RLIMIT_NPROC', soft: 10, hard: 20 },
    ]);
    expect(spec.linux.cgroupsPath).toBeUndefined();
  });

  it('writes an rlimit of -1 as RLIM_INFINITY (2^64 - 1) and nothing else differently', () => {
    const spec = createRunSpec({
      ...base,
      args: ['sh', '-c', '-1'],
      rlimits: [
        { type: 'RLIMIT_MEMLOCK', soft: -1, hard: -1 },
        { type: 'RLIMIT_STACK', soft: 8192, hard: -1 },
      ],
    });
    const text = specJson(spec);
    expect(text).toContain(
      '"rlimits":[{"type":"RLIMIT_NOFILE","soft":1024,"hard":1024},' +
        '{"type":"RLIMIT_MEMLOCK","soft":18446744073709551615,"hard":18446744073709551615},' +
        '{"type":"RLIMIT_STACK","soft":8192,"hard":18446744073709551615}]',
    );
    expect(text.replaceAll('18446744073709551615', '-1')).toBe(JSON.stringify(spec));
  });

  it('rejects a relative working directory and an empty command', () => {
    expect(() => createRunSpec({ ...base, cwd: 'app' })).toThrow('working directory must be absolute: app');
    expect(() => createRunSpec({ ...base, args: [] })).toThrow('a container needs a command to run');
    expect(() => createRunSpec({ ...base, mounts: [{ type: 'tmpfs', target: 'x' }] })).toThrow(
      'mount target must be absolute: x',
    );
  });

  it('lists the mount points the runtime may create in the rootfs', () => {
    const spec = createRunSpec({
      ...base,
      mounts: [
        { type: 'tmpfs', target: '/dev/shm' },
        { type: 'bind', source: '/c', target: '/a/b/c', readonly: true },
      ],
    });
    expect(mountStubPaths(spec)).toEqual([
      '/proc',
      '/dev',
      '/sys',
      '/etc/hosts',
      '/etc/resolv.conf',
      '/etc/hostname',
      '/a/b/c',
    ]);
  });
});

describe('network files', () => {
  it('writes hosts, resolv.conf and hostname outside the rootfs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-netfiles-'));
    try {
      const resolv = path.join(dir, 'host-resolv');
      await import('node:fs/promises').then((fs) => fs.writeFile(resolv, 'nameserver 10.0.0.2\n'));
      const files = await writeNetworkFiles(dir, {
        hostname: 'foo',
        extraHosts: [{ name: 'db', ip: '10.0.0.9' }],
        hostResolvConf: resolv,
      });
      expect(await readFile(files.hosts, 'utf8')).toBe(
        '127.0.0.1\tlocalhost foo\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.9\tdb\n',
      );
      expect(await readFile(files.resolvConf, 'utf8')).toBe('nameserver 10.0.0.2\n');
      expect(await readFile(files.hostname, 'utf8')).toBe('foo\n');
      expect(hostsFileContent('buildkitsandbox')).toBe(
        '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n',
      );
      // `--add-host` lines follow, in order, as BuildKit's executor writes them.
      expect(
        hostsFileContent('buildkitsandbox', [
          { name: 'db', ip: '10.0.0.5' },
          { name: 'v6', ip: '::1' },
        ]),
      ).toBe(
        '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.5\tdb\n::1\tv6\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps one file per content in the given dir, reused, and new files when the content changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-netfiles-'));
    const previousUmask = process.umask(0o077);
    try {
      const resolv = path.join(dir, 'host-resolv');
      await writeFile(resolv, 'nameserver 10.0.0.2\n');
      const store = path.join(dir, 'cache', 'network');
      const first = await storedNetworkFiles({ hostname: 'foo', hostResolvConf: resolv }, store);
      expect(await storedNetworkFiles({ hostname: 'foo', hostResolvConf: resolv }, store)).toEqual(first);
      const digest = (text: string) => createHash('sha256').update(text).digest('hex');
      expect(first).toEqual({
        hosts: path.join(store, digest(hostsFileContent('foo'))),
        resolvConf: path.join(store, digest('nameserver 10.0.0.2\n')),
        hostname: path.join(store, digest('foo\n')),
      });
      expect(await readFile(first.hostname, 'utf8')).toBe('foo\n');
      // Readable by any RUN user, whatever the umask; no temp file left.
      for (const file of Object.values(first)) expect((await stat(file)).mode & 0o777).toBe(0o644);
      expect((await readdir(store)).sort()).toEqual(
        Object.values(first)
          .map((f) => path.basename(f))
          .sort(),
      );
      const other = await storedNetworkFiles({ hostname: 'bar', hostResolvConf: resolv }, store);
      expect(other.hosts).not.toBe(first.hosts);
      expect(other.resolvConf).toBe(first.resolvConf);
      expect(await readFile(other.hosts, 'utf8')).toBe(hostsFileContent('bar'));
      await writeFile(resolv, 'nameserver 10.0.0.3\n');
      const changed = await storedNetworkFiles({ hostname: 'foo', hostResolvConf: resolv }, store);
      expect(changed.resolvConf).not.toBe(first.resolvConf);
      expect(await readFile(changed.resolvConf, 'utf8')).toBe('nameserver 10.0.0.3\n');
      expect(await readFile(first.resolvConf, 'utf8')).toBe('nameserver 10.0.0.2\n');
    } finally {
      process.umask(previousUmask);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
