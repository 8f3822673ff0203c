// Unit tests of the build's pure parts: --chmod parsing, passwd/group lookups, history texts,
// output specs, the archive header check.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTarHeader } from '../../executor/build/archive.js';
import { parseChmod } from '../../executor/build/chmod.js';
import { createdBy } from '../../executor/build/history.js';
import { containerConfig } from '../../executor/build/image-commit.js';
import { countedSteps, vertexName } from '../../executor/build/stage-runner.js';
import { resolveFileOwner, resolveProcessUser } from '../../executor/build/users.js';
import { parseOutput } from '../../executor/index.js';
import { goDuration, goQuotedRune } from '../../image/index.js';
import type { HealthcheckConfig, PlanStage, PlanStep } from '../../planner/index.js';
import { copyOp } from './copy-onto-lower-setup.js';
import { scratchDir } from './helpers.js';

describe('parseChmod', () => {
  it('takes octal modes as they are', () => {
    expect(parseChmod('755')(0o600, false)).toBe(0o755);
    expect(parseChmod('0')(0o644, true)).toBe(0);
    expect(() => parseChmod('10000')).toThrow(
      "invalid chmod parameter: '10000'. it should be octal string and between 0 and 07777",
    );
  });

  it('applies symbolic clauses like chmod(1)', () => {
    expect(parseChmod('u+x')(0o644, false)).toBe(0o744);
    expect(parseChmod('go-w')(0o666, false)).toBe(0o644);
    expect(parseChmod('u=rwx,g=rx,o=')(0o000, false)).toBe(0o750);
    expect(parseChmod('a+X')(0o644, false)).toBe(0o644);
    expect(parseChmod('a+X')(0o644, true)).toBe(0o755);
    expect(parseChmod('a+X')(0o744, false)).toBe(0o755);
    expect(parseChmod('+x')(0o600, false)).toBe(0o711);
    expect(() => parseChmod('u+q')).toThrow('invalid chmod parameter');
  });
});

describe('users', () => {
  async function rootWithAccounts(): Promise<string> {
    const root = await scratchDir();
    await mkdir(path.join(root, 'etc'));
    await writeFile(
      path.join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n',
    );
    await writeFile(path.join(root, 'etc/group'), 'root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnobody:x:65534:\n');
    return root;
  }

  it('resolves --chown specs as BuildKit file operations do', async () => {
    const root = await rootWithAccounts();
    expect(await resolveFileOwner(root, 'daemon')).toEqual({ uid: 1, gid: 1 });
    expect(await resolveFileOwner(root, '1000')).toEqual({ uid: 1000, gid: 1000 });
    expect(await resolveFileOwner(root, 'daemon:nobody')).toEqual({ uid: 1, gid: 65534 });
    expect(await resolveFileOwner(root, '5:wheel')).toEqual({ uid: 5, gid: 10 });
    await expect(resolveFileOwner(root, 'nouser')).rejects.toThrow(
      'unable to find user nouser: no matching entries in passwd file',
    );
  });

  it('resolves the RUN user with supplementary groups', async () => {
    const root = await rootWithAccounts();
    expect(await resolveProcessUser(root, '')).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
    expect(await resolveProcessUser(root, '1234')).toEqual({ uid: 1234, gid: 0, additionalGids: [0], home: '/' });
    expect(await resolveProcessUser(root, 'daemon:wheel')).toEqual({
      uid: 1,
      gid: 10,
      additionalGids: [10],
      home: '/usr/sbin',
    });
  });

  it('runs a RUN without USER as 0:0 in a root without /etc/passwd or /etc/group (FROM scratch)', async () => {
    const root = await scratchDir();
    expect(await resolveProcessUser(root, '')).toEqual({ uid: 0, gid: 0, additionalGids: [0], home: '/' });
    // A named user still needs its entry.
    await expect(resolveProcessUser(root, 'root')).rejects.toThrow(
      'unable to find user root: no matching entries in passwd file',
    );
  });

  it('never reads account files through a symlink leading out of the root', async () => {
    const root = await scratchDir();
    await mkdir(path.join(root, 'etc'));
    await symlink('/etc/passwd', path.join(root, 'etc/passwd'));
    await expect(resolveFileOwner(root, 'root')).rejects.toThrow('unable to find user root');
  });
});

function step(kind: string, instruction: string, args: string[], extra: Partial<PlanStep> = {}): PlanStep {
  return {
    kind,
    line: 1,
    range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
    instruction,
    onbuild: false,
    args,
    env: [],
    buildArgs: [],
    inputs: [],
    operation: { type: 'none' },
    cacheKey: null,
    parentKey: '',
    layer: false,
    ...extra,
  } as PlanStep;
}

describe('createdBy', () => {
  it('writes BuildKit history texts', () => {
    expect(createdBy(step('env', 'ENV a=1', ['a=1']))).toBe('ENV a=1');
    expect(createdBy(step('expose', 'EXPOSE 5000 1234/udp 80 80', ['5000/tcp', '1234/udp', '80/tcp', '80/tcp']))).toBe(
      'EXPOSE [5000/tcp 1234/udp 80/tcp 80/tcp]',
    );
    expect(createdBy(step('cmd', 'CMD ["sh"]', ['sh']))).toBe('CMD ["sh"]');
    const copy = step('copy', 'COPY --from=x foo2 foo3', ['foo2', '/foo3'], {
      layer: true,
      historyArgs: ['foo2', 'foo3'],
    });
    expect(createdBy(copy)).toBe('COPY foo2 foo3 # buildkit');
    const run = step('run', 'RUN ls /etc/', ['/bin/sh', '-c', 'ls /etc/'], {
      layer: true,
      buildArgs: ['foo=bar2', 'bar=123'],
      operation: {
        type: 'run',
        argv: ['/bin/sh', '-c', 'ls /etc/'],
        env: [],
        proxyEnv: [],
        user: '',
        workdir: '/',
        network: 'default',
        security: 'default',
        devices: [],
        mounts: [],
        files: [],
      },
    });
    expect(createdBy(run)).toBe('RUN |2 foo=bar2 bar=123 /bin/sh -c ls /etc/ # buildkit');
  });
});

describe('createdBy, checked against docker build (BuildKit) on real Dockerfiles', () => {
  it('writes WORKDIR without the # buildkit suffix although it makes a layer', () => {
    expect(createdBy(step('workdir', 'WORKDIR $APP_HOME', ['/app'], { layer: true }))).toBe('WORKDIR /app');
  });

  it('writes --parents, --chown and --chmod of COPY as expanded, not --from or --link (dispatchCopy)', () => {
    const operation = copyOp(['a', 'b'], '/d/', { parents: true, chown: '1000:app', chmod: '0755', link: true });
    const copy = step('copy', 'COPY --link --chown=$U:app --chmod=0755 --parents a b /d/', ['a', 'b', '/d/'], {
      layer: true,
      operation,
    });
    expect(createdBy(copy)).toBe('COPY --parents --chown=1000:app --chmod=0755 a b /d/ # buildkit');
    const plain = step('copy', 'COPY --from=x --chown= a /d', ['a', '/d'], {
      layer: true,
      operation: copyOp(['a'], '/d', { chown: '' }),
    });
    expect(createdBy(plain)).toBe('COPY a /d # buildkit');
  });

  it('writes COPY in JSON form with its words, not the JSON text', () => {
    const copy = step('copy', 'COPY --chmod=644 ["context/a b", "/tmp/foo" ]', ['context/a b', '/tmp/foo'], {
      layer: true,
    });
    expect(createdBy(copy)).toBe('COPY context/a b /tmp/foo # buildkit');
  });

  it('writes a heredoc source of COPY as <<NAME, quotes removed, after the paths', () => {
    const copy = step('copy', "COPY --chmod=755 a <<'EOF' /bin/", ['a', '<<EOF', '/bin/'], { layer: true });
    expect(createdBy(copy)).toBe('COPY a <<EOF /bin/ # buildkit');
  });

  it('records no history for ONBUILD (only the config keeps the trigger)', () => {
    expect(createdBy(step('onbuild', 'ONBUILD RUN echo hi', ['RUN echo hi']))).toBeNull();
  });

  it("writes HEALTHCHECK as Go's %q of the config: durations as Go prints them, retries as a quoted rune", () => {
    const health = (change: HealthcheckConfig): Partial<PlanStep> => ({
      operation: { type: 'config', change: { Healthcheck: change } },
    });
    const s = 1_000_000_000;
    const cmd = { Test: ['CMD-SHELL', 'test -f /app/config.json || exit 1'], Interval: 30 * s, Timeout: 3 * s };
    expect(createdBy(step('healthcheck', 'HEALTHCHECK ...', [], health({ ...cmd, Retries: 2 })))).toBe(
      `HEALTHCHECK &{["CMD-SHELL" "test -f /app/config.json || exit 1"] "30s" "3s" "0s" "0s" '\\x02'}`,
    );
    const exec = { Test: ['CMD', 'curl', '-f', 'x'], Interval: 90 * s, StartPeriod: 1500_000, Retries: 65 };
    expect(createdBy(step('healthcheck', 'HEALTHCHECK ...', [], health(exec)))).toBe(
      `HEALTHCHECK &{["CMD" "curl" "-f" "x"] "1m30s" "0s" "1.5ms" "0s" 'A'}`,
    );
    expect(createdBy(step('healthcheck', 'HEALTHCHECK NONE', [], health({ Test: ['NONE'] })))).toBe(
      `HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" '\\x00'}`,
    );
  });
});

describe('containerConfig', () => {
  it("names the working directory the stage has, and none when the base image names none (docker build's)", () => {
    expect(containerConfig({ Env: ['PATH=/bin'] }, {})).toEqual({ Env: ['PATH=/bin'] });
    expect(containerConfig({ Env: [], WorkingDir: '' }, {})).toEqual({ Env: [] });
    expect(containerConfig({ WorkingDir: '/' }, {})).toEqual({ WorkingDir: '/' });
  });
});

describe('vertex names', () => {
  it("pad the step number to the width of the total, as BuildKit's prefixCommand", () => {
    expect(vertexName('', 2, 12, 'RUN x')).toBe('[ 2/12] RUN x');
    expect(vertexName('builder ', 3, 5, 'COPY a b')).toBe('[builder 3/5] COPY a b');
  });

  it('count FROM an image, every RUN/COPY/ADD/WORKDIR (WORKDIR / too) and every ONBUILD trigger', () => {
    const steps = [
      step('arg', 'ARG A', [], { onbuild: true }),
      step('run', 'RUN x', [], { onbuild: true, layer: true }),
      step('workdir', 'WORKDIR /', ['/']),
      step('env', 'ENV A=1', ['A=1']),
      step('copy', 'COPY a b', ['a', 'b'], { layer: true }),
    ];
    const stage = { base: { type: 'image' }, steps } as unknown as PlanStage;
    expect(countedSteps(stage)).toBe(5);
    expect(countedSteps({ ...stage, base: { type: 'stage', index: 0, name: 'a' } })).toBe(4);
  });
});

describe('goDuration and goQuotedRune', () => {
  it("print as Go's Duration.String and %q of an int", () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [999, '999ns'],
      [1500, '1.5µs'],
      [2_000_000, '2ms'],
      [1_000_000_000, '1s'],
      [3_600_000_000_000, '1h0m0s'],
      [3_723_500_000_000, '1h2m3.5s'],
      [-30_000_000_000, '-30s'],
    ];
    for (const [ns, text] of cases) expect(goDuration(ns)).toBe(text);
    expect([0, 3, 9, 10, 39, 65, 92, 127, 233].map(goQuotedRune)).toEqual([
      "'\\x00'",
      "'\\x03'",
      "'\\t'",
      "'\\n'",
      "'\\''",
      "'A'",
      "'\\\\'",
      "'\\x7f'",
      "'é'",
    ]);
  });
});

describe('parseOutput', () => {
  it('parses local, tar and cacheonly exporters', () => {
    expect(parseOutput('type=local,dest=out')).toEqual({ type: 'local', dest: 'out' });
    expect(parseOutput('type=tar,dest=-')).toEqual({ type: 'tar', dest: '-' });
    expect(parseOutput('dir')).toEqual({ type: 'local', dest: 'dir' });
    // `-o -` is a tar on standard output (buildx), not a directory named `-`.
    expect(parseOutput('-')).toEqual({ type: 'tar', dest: '-' });
    expect(parseOutput('type=cacheonly')).toEqual({ type: 'cacheonly' });
    expect(() => parseOutput('type=registry,dest=x')).toThrow(
      'unsupported output type registry (local, tar, oci, docker, image, cacheonly)',
    );
  });
});

describe('isTarHeader', () => {
  it('checks the header checksum', () => {
    const block = Buffer.alloc(512);
    block.write('name', 0);
    block.write('0000644\0', 100);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    expect(isTarHeader(block)).toBe(true);
    block[0] = 0x41;
    expect(isTarHeader(block)).toBe(false);
    expect(isTarHeader(Buffer.alloc(100))).toBe(false);
  });

  it('reads the block as Go does: an all-zero block is no header, a checksum of signed bytes is one', () => {
    expect(isTarHeader(Buffer.alloc(512))).toBe(false);
    const block = Buffer.alloc(512);
    block.write('caf\u00e9', 0, 'latin1'); // a byte above 127, which old tars summed as a negative char
    block.write('0000644\0', 100);
    let signed = 0;
    for (let i = 0; i < 512; i++) {
      const b = i >= 148 && i < 156 ? 32 : (block[i] as number);
      signed += b > 127 ? b - 256 : b;
    }
    block.write(`${signed.toString(8).padStart(6, '0')}\0 `, 148);
    expect(isTarHeader(block)).toBe(true);
  });
});
