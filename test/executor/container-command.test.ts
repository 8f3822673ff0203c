// `docker run`'s composition of argv and env from an image config and the command line (pure: no
// runtime needed). The ENTRYPOINT/CMD table is the one in Docker's Dockerfile reference.
import { describe, expect, it } from 'vitest';
import { parseRunArgs, runUsage } from '../../cli/commands/run/args.js';
import { runArgv } from '../../cli/commands/run/run.js';
import {
  ContainerError,
  containerArgv,
  containerEnv,
  parseMountOption,
  parseTmpfs,
  parseVolume,
  startFailureExitCode,
} from '../../executor/index.js';

const shell = (cmd: string) => ['/bin/sh', '-c', cmd];

describe('containerArgv (ENTRYPOINT and CMD as docker run combines them)', () => {
  const cases: ReadonlyArray<{ name: string; entrypoint?: string[]; cmd?: string[]; expected: string[] }> = [
    { name: 'no ENTRYPOINT, CMD exec form', cmd: ['p1_cmd', 'p1'], expected: ['p1_cmd', 'p1'] },
    { name: 'no ENTRYPOINT, CMD shell form', cmd: shell('p1_cmd p1'), expected: shell('p1_cmd p1') },
    { name: 'ENTRYPOINT exec form, no CMD', entrypoint: ['e', 'p1_e'], expected: ['e', 'p1_e'] },
    {
      name: 'ENTRYPOINT exec, CMD exec',
      entrypoint: ['e', 'p1_e'],
      cmd: ['p1_cmd', 'p1'],
      expected: ['e', 'p1_e', 'p1_cmd', 'p1'],
    },
    {
      name: 'ENTRYPOINT exec, CMD shell',
      entrypoint: ['e', 'p1_e'],
      cmd: shell('p1_cmd p1'),
      expected: ['e', 'p1_e', '/bin/sh', '-c', 'p1_cmd p1'],
    },
    {
      name: 'ENTRYPOINT shell, CMD exec (the shell ignores it: it only fills $0 and $1)',
      entrypoint: shell('e p1_e'),
      cmd: ['p1_cmd', 'p1'],
      expected: ['/bin/sh', '-c', 'e p1_e', 'p1_cmd', 'p1'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(containerArgv({ Entrypoint: c.entrypoint ?? null, Cmd: c.cmd ?? null })).toEqual(c.expected);
    });
  }

  it('run arguments replace CMD and follow ENTRYPOINT', () => {
    expect(containerArgv({ Entrypoint: ['e'], Cmd: ['c'] }, { args: ['a', 'b'] })).toEqual(['e', 'a', 'b']);
    expect(containerArgv({ Cmd: ['c'] }, { args: ['a'] })).toEqual(['a']);
  });

  it('--entrypoint replaces ENTRYPOINT and resets CMD; it is one word, never split', () => {
    expect(containerArgv({ Entrypoint: ['e'], Cmd: ['c'] }, { entrypoint: 'my prog' })).toEqual(['my prog']);
    expect(containerArgv({ Cmd: ['c'] }, { entrypoint: 'x', args: ['a'] })).toEqual(['x', 'a']);
  });

  it("--entrypoint '' clears ENTRYPOINT and CMD, leaving the run arguments", () => {
    expect(containerArgv({ Entrypoint: ['e'], Cmd: ['c'] }, { entrypoint: '', args: ['a'] })).toEqual(['a']);
  });

  it('no command at all is docker’s error 125', () => {
    expect(() => containerArgv({})).toThrow(new ContainerError('no command specified', 125));
    expect(() => containerArgv({ Cmd: ['c'] }, { entrypoint: '' })).toThrow('no command specified');
    try {
      containerArgv({});
    } catch (error) {
      expect((error as ContainerError).exitCode).toBe(125);
    }
  });
});

describe('containerEnv', () => {
  const base = { hostEnv: {}, hostname: 'h1', home: '/root' };

  it('starts with the default PATH and HOSTNAME and adds HOME', () => {
    expect(containerEnv({ ...base, imageEnv: [], overrides: [] })).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOSTNAME=h1',
      'HOME=/root',
    ]);
  });

  it('image Env replaces defaults in place; -e replaces image values in place and appends new ones', () => {
    const env = containerEnv({
      ...base,
      imageEnv: ['PATH=/bin', 'A=1', 'B=2'],
      overrides: ['B=3', 'C=x=y', 'HOME=/h'],
    });
    expect(env).toEqual(['PATH=/bin', 'HOSTNAME=h1', 'A=1', 'B=3', 'C=x=y', 'HOME=/h']);
  });

  it('-e NAME takes the caller’s value and is dropped when the caller has none', () => {
    const env = containerEnv({ ...base, hostEnv: { SET: 'v' }, imageEnv: [], overrides: ['SET', 'UNSET', 'E='] });
    expect(env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOSTNAME=h1',
      'SET=v',
      'E=',
      'HOME=/root',
    ]);
  });

  it("-t adds docker's TERM=xterm after HOSTNAME; the image's TERM or -e TERM replaces it in place", () => {
    const path = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    expect(containerEnv({ ...base, imageEnv: ['A=1'], overrides: [], tty: true })).toEqual([
      path,
      'HOSTNAME=h1',
      'TERM=xterm',
      'A=1',
      'HOME=/root',
    ]);
    expect(containerEnv({ ...base, imageEnv: ['TERM=linux'], overrides: [], tty: true })).toEqual([
      path,
      'HOSTNAME=h1',
      'TERM=linux',
      'HOME=/root',
    ]);
    expect(containerEnv({ ...base, imageEnv: [], overrides: ['TERM=vt100'], tty: true })).toEqual([
      path,
      'HOSTNAME=h1',
      'TERM=vt100',
      'HOME=/root',
    ]);
    expect(containerEnv({ ...base, imageEnv: [], overrides: [], tty: false })).not.toContain('TERM=xterm');
  });

  it('rejects -e without a name', () => {
    expect(() => containerEnv({ ...base, imageEnv: [], overrides: ['=x'] })).toThrow(
      'invalid environment variable: =x',
    );
  });
});

describe('startFailureExitCode', () => {
  it('maps runc’s start errors to docker’s exit codes', () => {
    expect(startFailureExitCode('exec: "nope": executable file not found in $PATH')).toBe(127);
    expect(startFailureExitCode('exec: "/etc/passwd": permission denied')).toBe(126);
    expect(startFailureExitCode('cgroup trouble')).toBe(125);
  });
});

describe('tsbuild run arguments (options stop at the image name)', () => {
  it('parses options before the image and keeps every word after it for the container', () => {
    expect(
      parseRunArgs([
        '--rm',
        '-e',
        'A=1',
        '--env=B',
        '-eC=3',
        '-u',
        'nobody',
        '-w/tmp',
        '--entrypoint',
        '',
        '--network=none',
        '--root',
        '/s',
        'busybox',
        'id',
        '-u',
        '--rm',
      ]),
    ).toEqual({
      kind: 'run',
      options: {
        image: 'busybox',
        args: ['id', '-u', '--rm'],
        rm: true,
        interactive: false,
        env: ['A=1', 'B', 'C=3'],
        user: 'nobody',
        workdir: '/tmp',
        entrypoint: '',
        network: 'none',
        root: '/s',
      },
    });
  });

  it('takes -v/--volume (repeatable, in order) and --privileged', () => {
    expect(
      parseRunArgs(['-v', '/a:/x', '--volume=/b:/y:ro', '-v/c:/z', '--privileged', 'busybox', '-v', '/d:/w']),
    ).toEqual({
      kind: 'run',
      options: {
        image: 'busybox',
        args: ['-v', '/d:/w'],
        rm: false,
        interactive: false,
        env: [],
        volumes: ['/a:/x', '/b:/y:ro', '/c:/z'],
        privileged: true,
      },
    });
    expect(parseRunArgs(['--privileged=false', 'busybox'])).toEqual({
      kind: 'run',
      options: { image: 'busybox', args: [], rm: false, interactive: false, env: [] },
    });
  });

  it('takes --env-file, --cap-add and --cap-drop (repeatable, in order) and --read-only', () => {
    expect(
      parseRunArgs([
        '--env-file',
        'a.env',
        '--cap-add=NET_ADMIN',
        '--cap-drop',
        'ALL',
        '--read-only',
        '--env-file=b.env',
        '--cap-add',
        'sys_time',
        'busybox',
      ]),
    ).toEqual({
      kind: 'run',
      options: {
        image: 'busybox',
        args: [],
        rm: false,
        interactive: false,
        env: [],
        envFiles: ['a.env', 'b.env'],
        capAdd: ['NET_ADMIN', 'sys_time'],
        capDrop: ['ALL'],
        readOnly: true,
      },
    });
  });

  it('accepts --name and -p as docker command lines give them, and refuses -d: there is no daemon', () => {
    expect(parseRunArgs(['--name', 'web', '-p', '8080:80', '--publish=443:443', 'b'])).toMatchObject({
      kind: 'run',
      options: { name: 'web', publish: ['8080:80', '443:443'], image: 'b' },
    });
    for (const flag of ['-d', '--detach']) {
      expect(parseRunArgs([flag, 'b'])).toEqual({
        kind: 'error',
        message: `${flag}: tsbuild run has no detached mode (no daemon keeps the container)`,
      });
    }
  });

  it('takes --add-host and --ulimit (repeatable) and --shm-size', () => {
    expect(
      parseRunArgs([
        '--add-host',
        'db:10.0.0.5',
        '--ulimit=nofile=512:1024',
        '--shm-size',
        '1m',
        '--add-host=a=::1',
        'b',
      ]),
    ).toMatchObject({
      kind: 'run',
      options: { addHosts: ['db:10.0.0.5', 'a=::1'], ulimits: ['nofile=512:1024'], shmSize: '1m', image: 'b' },
    });
  });

  it('reads --tmpfs and --mount as docker does', () => {
    expect(parseRunArgs(['--tmpfs', '/run:size=1m,exec', '--mount=type=tmpfs,dst=/t', 'busybox'])).toMatchObject({
      kind: 'run',
      options: { tmpfs: ['/run:size=1m,exec'], mounts: ['type=tmpfs,dst=/t'] },
    });
    expect(parseTmpfs('/run')).toEqual({ type: 'tmpfs', target: '/run', options: ['noexec', 'nosuid', 'nodev'] });
    expect(parseTmpfs('/run/:size=64m,mode=1777,exec')).toEqual({
      type: 'tmpfs',
      target: '/run',
      options: ['noexec', 'nosuid', 'nodev', 'size=64m', 'mode=1777', 'exec'],
    });
    expect(parseMountOption('type=bind,source=/srv,target=/data,readonly')).toEqual({
      bind: { source: '/srv', target: '/data', readonly: true },
    });
    expect(parseMountOption('Type=bind,src=/srv/,dst=/data/,ro=false')).toEqual({
      bind: { source: '/srv', target: '/data', readonly: false },
    });
    expect(parseMountOption('type=tmpfs,destination=/cache,tmpfs-size=1048576,tmpfs-mode=700')).toEqual({
      tmpfs: { type: 'tmpfs', target: '/cache', options: ['noexec', 'nosuid', 'nodev'], size: 1048576, mode: 0o700 },
    });
    const refused: [() => unknown, string][] = [
      [() => parseTmpfs('run'), 'invalid mount "run": run is not an absolute path'],
      [() => parseTmpfs('/run:suid=1'), 'invalid tmpfs option "suid=1" in "/run:suid=1"'],
      [
        () => parseMountOption('source=/a,target=/b'),
        'type=volume: tsbuild run mounts host paths (bind) and tmpfs only',
      ],
      [() => parseMountOption('type=bind,source=rel,target=/b'), 'a bind needs an absolute source='],
      [() => parseMountOption('type=bind,source=/a'), 'target is required'],
      [() => parseMountOption('type=bind,source=/a,target=/b,colour=red'), "unexpected key 'colour'"],
      [() => parseMountOption('type=tmpfs,target=/b,tmpfs-size=1g'), 'tmpfs-size=1g: a number of bytes'],
      [() => parseMountOption('type=tmpfs,target=/'), 'the container root'],
    ];
    for (const [parse, message] of refused) {
      expect(parse).toThrow(message);
      expect(parse).toThrow(expect.objectContaining({ exitCode: 125 }));
    }
  });

  it('reads a volume as docker does: host path, container path, ro or rw', () => {
    expect(parseVolume('/srv/data:/data')).toEqual({ source: '/srv/data', target: '/data', readonly: false });
    expect(parseVolume('/srv/data/:/data/./x/:ro')).toEqual({ source: '/srv/data', target: '/data/x', readonly: true });
    expect(parseVolume('/srv:/srv:rw,z')).toEqual({ source: '/srv', target: '/srv', readonly: false });
    const refused: [string, string][] = [
      ['data:/data', 'data is not an absolute host path (tsbuild run has no named volumes)'],
      ['/srv', 'use HOST-PATH:CONTAINER-PATH[:ro|rw]'],
      ['/srv:data', 'data is not an absolute path in the container'],
      ['/srv:/', 'the container root cannot be a volume'],
      ['/srv:/d:ro,rw', 'ro and rw together'],
      ['/srv:/d:rx', 'unknown mode "rx"'],
      ['/a:/b:ro:x', 'use HOST-PATH:CONTAINER-PATH[:ro|rw]'],
    ];
    for (const [spec, why] of refused) {
      expect(() => parseVolume(spec)).toThrow(`invalid volume ${JSON.stringify(spec)}: ${why}`);
      expect(() => parseVolume(spec)).toThrow(expect.objectContaining({ exitCode: 125 }));
    }
  });

  it('`--` ends the options; an image alone has no args', () => {
    expect(parseRunArgs(['--', '-odd-image', 'x'])).toEqual({
      kind: 'run',
      options: { image: '-odd-image', args: ['x'], rm: false, interactive: false, env: [] },
    });
    expect(parseRunArgs(['busybox'])).toEqual({
      kind: 'run',
      options: { image: 'busybox', args: [], rm: false, interactive: false, env: [] },
    });
  });

  it('reports unknown flags, missing values and a missing image; -h is help', () => {
    expect(parseRunArgs(['--init', 'busybox'])).toEqual({ kind: 'error', message: 'unknown flag: --init' });
    expect(parseRunArgs(['-v'])).toEqual({ kind: 'error', message: 'flag needs an argument: -v' });
    expect(parseRunArgs(['--bogus=1', 'busybox'])).toEqual({ kind: 'error', message: 'unknown flag: --bogus' });
    expect(parseRunArgs(['-u'])).toEqual({ kind: 'error', message: 'flag needs an argument: -u' });
    expect(parseRunArgs(['--rm'])).toEqual({
      kind: 'error',
      message: '"tsbuild run" requires at least 1 argument: IMAGE [COMMAND] [ARG...]',
    });
    expect(parseRunArgs(['-h', 'busybox'])).toEqual({ kind: 'help' });
  });

  it("takes docker's -it, -ti and -t: -i passes stdin, -t asks for a pseudo-TTY", () => {
    const base = { image: 'busybox', args: ['sh'], rm: true, env: [] };
    expect(parseRunArgs(['-it', '--rm', 'busybox', 'sh'])).toEqual({
      kind: 'run',
      options: { ...base, interactive: true, tty: true },
    });
    expect(parseRunArgs(['--rm', '-ti', 'busybox', 'sh'])).toEqual({
      kind: 'run',
      options: { ...base, interactive: true, tty: true },
    });
    expect(parseRunArgs(['--rm', '-t', 'busybox', 'sh'])).toEqual({
      kind: 'run',
      options: { ...base, interactive: false, tty: true },
    });
    expect(parseRunArgs(['-ix', 'busybox'])).toEqual({ kind: 'error', message: 'unknown flag: -ix' });
  });

  it('runArgv prints usage errors with exit 125 and help with exit 0', async () => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (d: string | Uint8Array) => {
        stdout += String(d);
      },
      stderr: (d: string | Uint8Array) => {
        stderr += String(d);
      },
      env: {},
    };
    expect(await runArgv(['--nope', 'busybox'], io)).toBe(125);
    expect(stderr).toBe("tsbuild: unknown flag: --nope\nSee 'tsbuild run --help'.\n");
    expect(await runArgv(['--help'], io)).toBe(0);
    expect(stdout).toBe(runUsage);
  });
});
