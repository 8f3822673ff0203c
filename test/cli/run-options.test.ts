// `--add-host`, `--shm-size` and `--ulimit` of `tsbuild build` and `tsbuild plan`: values parsed as docker parses
// them, refused in docker's words before anything is built (exit 2), and the keys `tsbuild plan` prints. Also
// build's `--allow`, `--provenance` and `--sbom`, whose values tsbuild cannot honour are refused the same way.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalIp } from '../../cli/commands/build/ip-address.js';
import { run as build } from '../../cli/commands/build/run.js';
import { buildRunOptions, extraHost, shmBytes, ulimitList } from '../../cli/commands/build/run-options.js';
import { type PlanIo, run as plan } from '../../cli/commands/plan/run.js';

describe('--add-host', () => {
  it.each([
    ['db:10.0.0.5', { name: 'db', ip: '10.0.0.5' }],
    ['db=10.0.0.5', { name: 'db', ip: '10.0.0.5' }],
    ['DB.Example:10.0.0.5', { name: 'db.example', ip: '10.0.0.5' }],
    ['v6:::1', { name: 'v6', ip: '::1' }],
    ['v6=::1', { name: 'v6', ip: '::1' }],
    ['v6:[2001:DB8::0001]', { name: 'v6', ip: '2001:db8::1' }],
    ['v6:0:0:0:0:0:0:0:1', { name: 'v6', ip: '::1' }],
    ['mapped:::ffff:10.0.0.5', { name: 'mapped', ip: '10.0.0.5' }],
    ['v4:[10.0.0.5]', { name: 'v4', ip: '10.0.0.5' }],
    ['gw:host-gateway', { name: 'gw', ip: '127.0.0.1' }],
  ])('%s is %j', (value, host) => {
    expect(extraHost(value)).toEqual(host);
  });

  it.each([
    ['nocolon', 'bad format for add-host: "nocolon"'],
    [':10.0.0.5', 'bad format for add-host: ":10.0.0.5"'],
    ['a:b=10.0.0.5', 'bad format for add-host: "a:b=10.0.0.5"'],
    ['db:10.0.0', 'invalid IP address in add-host: "10.0.0"'],
    ['db:010.0.0.5', 'invalid IP address in add-host: "010.0.0.5"'],
    ['db:256.0.0.1', 'invalid IP address in add-host: "256.0.0.1"'],
    ['db:', 'invalid IP address in add-host: ""'],
    ['db:fe80::1%eth0', 'invalid IP address in add-host: "fe80::1%eth0"'],
    ['db:[::1', 'invalid IP address in add-host: "[::1"'],
  ])('%s is refused: %s', (value, reason) => {
    expect(() => extraHost(value)).toThrow(`invalid argument "${value}" for "--add-host" flag: ${reason}`);
  });

  it('host-gateway is refused under --network none, which cannot reach the host', () => {
    expect(() => extraHost('gw:host-gateway', 'none')).toThrow(
      "--add-host gw:host-gateway: host-gateway is the host's address, which --network none cannot reach",
    );
    expect(extraHost('gw:host-gateway', 'host')).toEqual({ name: 'gw', ip: '127.0.0.1' });
  });

  it('takes comma-separated lists and keeps order and repeats, as buildx does', () => {
    expect(buildRunOptions({ addHosts: ['b:10.0.0.2,a:10.0.0.1', 'b:10.0.0.3'] })).toEqual({
      extraHosts: [
        { name: 'b', ip: '10.0.0.2' },
        { name: 'a', ip: '10.0.0.1' },
        { name: 'b', ip: '10.0.0.3' },
      ],
    });
  });
});

describe('IP addresses as Go prints them', () => {
  it.each([
    ['::', '::'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['::1.2.3.4', '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['ABCD::', 'abcd::'],
  ])('%s prints as %s', (text, printed) => {
    expect(canonicalIp(text)).toBe(printed);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', '1:2:3:4:5:6:7::8', '12345::', '1.2.3.4::', '::1.2.3', ':1::'])(
    '%s is not an address',
    (text) => {
      expect(canonicalIp(text)).toBeNull();
    },
  );
});

describe('--shm-size', () => {
  it.each([
    ['1g', 2 ** 30],
    ['512m', 512 * 2 ** 20],
    ['64MiB', 64 * 2 ** 20],
    ['1.5 GB', 1.5 * 2 ** 30],
    ['1024', 1024],
    ['100b', 100],
    ['2K', 2048],
    ['0', 0],
  ])('%s is %d bytes', (value, bytes) => {
    expect(shmBytes(value)).toBe(bytes);
  });

  it.each([
    ['abc', "invalid size: 'abc'"],
    ['', "invalid size: ''"],
    ['-1m', "invalid size: '-1m'"],
    ['1x', "invalid suffix: 'x'"],
    ['1gbb', "invalid suffix: 'gbb'"],
    ['1bi', "invalid suffix: 'bi'"],
    ['1.2.3m', 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
  ])('%s is refused: %s', (value, reason) => {
    expect(() => shmBytes(value)).toThrow(`invalid argument "${value}" for "--shm-size" flag: ${reason}`);
  });

  it('0 is the default, as buildx sends no size then', () => {
    expect(buildRunOptions({ shmSize: '0' })).toBeUndefined();
  });
});

describe('--ulimit', () => {
  it('one limit per name, the later one kept, sorted by name (docker’s UlimitOpt)', () => {
    expect(ulimitList(['nproc=10', 'nofile=1024:2048', 'core=0', 'nproc=20:30'])).toEqual([
      { name: 'core', soft: 0, hard: 0 },
      { name: 'nofile', soft: 1024, hard: 2048 },
      { name: 'nproc', soft: 20, hard: 30 },
    ]);
  });

  it('-1 and infinity are unlimited', () => {
    expect(ulimitList(['memlock=-1', 'stack=8192:infinity'])).toEqual([
      { name: 'memlock', soft: -1, hard: -1 },
      { name: 'stack', soft: 8192, hard: -1 },
    ]);
  });

  it.each([
    ['foo=1', 'invalid ulimit type: foo'],
    ['as=1', 'invalid ulimit type: as'],
    ['nofile', 'invalid ulimit argument: nofile'],
    ['nofile=2048:1024', 'ulimit soft limit must be less than or equal to hard limit: 2048 > 1024'],
    ['nofile=-1:1024', 'ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1024'],
    ['nofile=1:2:3', 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`'],
    ['nofile=x', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['nofile=', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['nofile=99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    ['nofile=-2', 'a limit is a number of 0 or more, or -1 (infinity) for none: -2'],
  ])('%s is refused: %s', (value, reason) => {
    expect(() => ulimitList([value])).toThrow(`invalid argument "${value}" for "--ulimit" flag: ${reason}`);
  });
});

describe('the commands', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-run-options-'));
    await mkdir(join(dir, 'ctx'));
    await writeFile(join(dir, 'ctx/Dockerfile'), 'FROM scratch\nRUN a\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const capture = () => {
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
      readStdin: async () => '',
      env: { TSBUILD_ROOT: join(dir, 'no-store') },
    };
    return { out, io };
  };

  it.each([
    [{ addHosts: ['nocolon'] }, 'invalid argument "nocolon" for "--add-host" flag: bad format for add-host: "nocolon"'],
    [{ shmSize: 'abc' }, `invalid argument "abc" for "--shm-size" flag: invalid size: 'abc'`],
    [{ ulimits: ['foo=1'] }, 'invalid argument "foo=1" for "--ulimit" flag: invalid ulimit type: foo'],
    [
      { allow: ['network.host', 'security.unsafe'] },
      'invalid entitlement "security.unsafe" for --allow: tsbuild grants network.host and security.insecure',
    ],
    [
      { provenance: ['false', 'mode=max'] },
      '--provenance=mode=max: tsbuild makes no attestations (only --provenance=false is accepted)',
    ],
    [{ sbom: ['true'] }, '--sbom=true: tsbuild makes no attestations (only --sbom=false is accepted)'],
  ])('build refuses %j before touching the store (exit 2)', async (values, message) => {
    const { out, io } = capture();
    const root = join(dir, 'store');
    const base = { context: join(dir, 'ctx'), tags: [], buildArgs: [], labels: [], outputs: [], secrets: [] };
    const code = await build({ ...base, noCache: false, quiet: true, root, ...values }, io);
    expect({ code, ...out }).toEqual({ code: 2, stdout: '', stderr: `ERROR: ${message}\n` });
    expect(existsSync(root)).toBe(false);
  });

  it('build refuses host-gateway under --network none (exit 2)', async () => {
    const { out, io } = capture();
    const base = { context: join(dir, 'ctx'), tags: [], buildArgs: [], labels: [], outputs: [], secrets: [] };
    const options = { ...base, noCache: false, quiet: true, network: 'none', addHosts: ['gw:host-gateway'] };
    expect(await build({ ...options, root: join(dir, 'store') }, io)).toBe(2);
    expect(out.stderr).toBe(
      "ERROR: --add-host gw:host-gateway: host-gateway is the host's address, which --network none cannot reach\n",
    );
  });

  it('plan refuses a bad value with exit 2', async () => {
    const { out, io } = capture();
    const code = await plan({ context: join(dir, 'ctx'), buildArgs: [], json: false, ulimits: ['nofile=2:1'] }, io);
    expect({ code, ...out }).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: invalid argument "nofile=2:1" for "--ulimit" flag: ulimit soft limit must be less than or equal ' +
        'to hard limit: 2 > 1\n',
    });
  });

  it('plan keys RUN by the host names, the shm size and the ulimits, not the addresses', async () => {
    const keyOf = async (values: Partial<Parameters<typeof plan>[0]>) => {
      const { out, io } = capture();
      expect(await plan({ context: join(dir, 'ctx'), buildArgs: [], json: true, ...values }, io as PlanIo)).toBe(0);
      return JSON.parse(out.stdout).stages[0].steps[0].cacheKey as string;
    };
    const plain = await keyOf({});
    const db = await keyOf({ addHosts: ['db:10.0.0.5'] });
    expect(await keyOf({ addHosts: ['DB=10.0.0.6'] })).toBe(db);
    expect(new Set([plain, db, await keyOf({ addHosts: ['cache:10.0.0.5'] })]).size).toBe(3);
    expect(await keyOf({ shmSize: '1g' })).toBe(await keyOf({ shmSize: '1024m' }));
    expect(await keyOf({ shmSize: '1g' })).not.toBe(plain);
    expect(await keyOf({ ulimits: ['nofile=1024:2048'] })).not.toBe(plain);
  });
});
