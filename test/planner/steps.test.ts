// Instruction by instruction: the typed operation each step carries, and the errors BuildKit gives.

import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downloadName, hostPlatform, listInputs } from '../../planner/index.js';
import { messages, planDir, planOf, stepsOf, withContext } from './helpers/scenario.js';

/** BuildKit's words for a source the build context does not hold (its content checksum fails). */
const notFound = (path: string) =>
  `failed to compute cache key: failed to calculate checksum of ref local::context: "${path}": not found`;

const op = async (dockerfile: string, extra: Parameters<typeof planOf>[1] = {}) => {
  const steps = stepsOf(await planOf(dockerfile, extra));
  return steps[steps.length - 1].operation;
};

describe('RUN', () => {
  it("takes the build's --network unless it names one; the key is the mode's, wherever it comes from", async () => {
    const dockerfile = 'FROM busybox\nRUN a\nRUN --network=default b\nRUN --network=host c\nRUN --network=none d\n';
    const none = stepsOf(await planOf(dockerfile, { network: 'none' }));
    expect(none.map((s) => (s.operation as { network: string }).network)).toEqual(['none', 'none', 'host', 'none']);
    const plain = stepsOf(await planOf(dockerfile));
    expect(plain.map((s) => (s.operation as { network: string }).network)).toEqual([
      'default',
      'default',
      'host',
      'none',
    ]);
    // `--network default` is no --network at all: every key stays.
    const byDefault = stepsOf(await planOf(dockerfile, { network: 'default' }));
    expect(byDefault.map((s) => s.cacheKey)).toEqual(plain.map((s) => s.cacheKey));
    // RUN a under --network none is keyed as RUN --network=none a.
    const explicit = stepsOf(await planOf('FROM busybox\nRUN --network=none a\n'));
    expect(none[0].cacheKey).toBe(explicit[0].cacheKey);
    expect(none[0].cacheKey).not.toBe(plain[0].cacheKey);
  });

  it("carries the build's --add-host, --shm-size and --ulimit into every RUN, and leaves them out when not given", async () => {
    const run = {
      extraHosts: [{ name: 'db', ip: '10.0.0.5' }],
      shmSize: 2 ** 30,
      ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
    };
    const steps = stepsOf(await planOf('FROM busybox\nRUN a\nRUN --network=none b\n', { run }));
    for (const step of steps) expect(step.operation).toMatchObject(run);
    const plain = await op('FROM busybox\nRUN a\n');
    expect(Object.keys(plain).filter((k) => ['extraHosts', 'shmSize', 'ulimits'].includes(k))).toEqual([]);
    // No option given is no option at all: the keys stay as they were.
    const empty = stepsOf(await planOf('FROM busybox\nRUN a\n', { run: { extraHosts: [], shmSize: 0, ulimits: [] } }));
    expect(empty[0]?.cacheKey).toBe(stepsOf(await planOf('FROM busybox\nRUN a\n'))[0]?.cacheKey);
  });

  it('wraps shell form in the current SHELL; exec form is used as is', async () => {
    expect(await op('FROM busybox\nSHELL ["/bin/bash", "-eu", "-c"]\nRUN echo  hi\n')).toMatchObject({
      argv: ['/bin/bash', '-eu', '-c', 'echo  hi'],
    });
    expect(await op('FROM busybox\nRUN ["echo", "$HOME"]\n')).toMatchObject({ argv: ['echo', '$HOME'] });
  });

  it('runs a single heredoc body through the shell', async () => {
    expect(await op('FROM busybox\nRUN <<EOF\necho "i am" >> /dest\nwhoami >> /dest\nEOF\n')).toMatchObject({
      argv: ['/bin/sh', '-c', 'echo "i am" >> /dest\nwhoami >> /dest\n'],
      files: [],
    });
  });

  it('writes a heredoc with a shebang to a file and runs it (tabs stripped for <<-)', async () => {
    expect(await op('FROM busybox\nRUN <<-EOF\n\t#!/bin/awk -f\n\tBEGIN { print 1 }\nEOF\n')).toMatchObject({
      argv: ['/bin/sh', '-c', '/dev/pipes/EOF'],
      files: [{ path: '/dev/pipes/EOF', content: '#!/bin/awk -f\nBEGIN { print 1 }\n', mode: 0o755 }],
    });
  });

  it('hands a command around heredocs to the shell with the bodies reattached', async () => {
    expect(await op('FROM busybox\nRUN cat <<A > /a; cat <<B > /b\n1\nA\n2\nB\n')).toMatchObject({
      argv: ['/bin/sh', '-c', 'cat <<A > /a; cat <<B > /b\n1\nA\n2\nB'],
    });
  });

  it('parses mounts with BuildKit defaults', async () => {
    const run = await op(
      'FROM busybox\nARG T=/cache\nRUN --mount=type=cache,target=$T --mount=type=secret,id=tok --mount=type=ssh --mount=type=tmpfs,dst=/t --network=none x\n',
    );
    expect(run).toMatchObject({
      network: 'none',
      mounts: [
        {
          type: 'cache',
          target: '/cache',
          readonly: false,
          from: null,
          origin: null,
          source: null,
          options: { id: '/cache', sharing: 'shared' },
        },
        {
          type: 'secret',
          target: '/run/secrets/tok',
          readonly: true,
          from: null,
          origin: null,
          source: null,
          options: { id: 'tok' },
        },
        {
          type: 'ssh',
          target: '/run/buildkit/ssh_agent.0',
          readonly: true,
          from: null,
          origin: null,
          source: null,
          options: { id: 'default' },
        },
        { type: 'tmpfs', target: '/t', readonly: false, from: null, origin: null, source: null, options: {} },
      ],
    });
  });

  it('a bind mount of a stage makes that stage an input', async () => {
    const result = await planOf(
      'FROM busybox AS b\nRUN mk\nFROM busybox\nRUN --mount=from=b,source=/out,target=/in cp /in/x /x\n',
    );
    expect(stepsOf(result)[0].inputs).toEqual([
      { type: 'stage', index: 0, name: 'b', paths: ['/out'], key: result.plan?.stages[0].fsKey },
    ]);
    expect(stepsOf(result)[0].operation).toMatchObject({
      mounts: [{ type: 'bind', from: 'b', origin: { type: 'stage', index: 0 }, source: '/out' }],
    });
  });

  it.each([
    ['--mont=target=/x', 'error 2:5 unknown flag: --mont (did you mean mount?)'],
    ['--mount=typ=tmpfs', "error 2:13 unexpected key 'typ' in 'typ=tmpfs' (did you mean type?)"],
    ['--mount=type=tmp', 'error 2:13 unsupported mount type "tmp" (did you mean tmpfs?)'],
    ['--network=bridge', 'error 2:5 invalid network mode "bridge"'],
  ])('RUN %s fails', async (flagText, message) => {
    expect(messages(await planOf(`FROM busybox\nRUN ${flagText} /bin/true\n`))).toEqual([message]);
  });

  it.each([
    ['--mount=z', "error 2:13 invalid field 'z' must be a key=value pair"],
    ['--mount=type=bind,mode=0600', 'error 2:5 mode not allowed for "bind" type mounts'],
    ['--mount=type=cache,required', "error 2:24 unexpected key 'required' for mount type 'cache'"],
    ['--mount=type=cache,target=/c,sharing=none', 'error 2:34 unsupported sharing value "none"'],
  ])('RUN %s fails as in BuildKit', async (flagText, message) => {
    expect(messages(await planOf(`FROM busybox\nWORKDIR /w\nRUN ${flagText} true\n`))).toEqual([
      message.replace('2:', '3:'),
    ]);
  });

  it('a bind mount of a source the context lacks fails as in BuildKit (its content checksum)', async () => {
    const result = await planOf('FROM busybox\nRUN --mount=type=bind,source=nope,target=/n true\n');
    expect(messages(result)).toEqual([`error 2:1 ${notFound('/nope')}`]);
  });

  it('a bind or cache mount without target mounts at WORKDIR; relative targets are below it', async () => {
    const run = await op(
      'FROM busybox AS b\nFROM busybox\nWORKDIR /work\nRUN --mount=from=b --mount=type=cache,target=c true\n',
    );
    expect(run).toMatchObject({
      mounts: [
        { type: 'bind', target: '/work', readonly: true, from: 'b', origin: { type: 'stage', index: 0 } },
        { type: 'cache', target: '/work/c', readonly: false, options: { id: '/work/c', sharing: 'shared' } },
      ],
    });
    expect(messages(await planOf('FROM busybox\nRUN --mount=type=cache true\n'))).toEqual([
      'error 2:5 invalid mount target "/"',
    ]);
  });

  it('--device: the CDI devices asked for are in the operation and the key; a RUN without one keeps its key', async () => {
    const run = await op(
      'FROM busybox\nRUN --device=vendor.com/gpu=0 --device=name=nvidia.com/gpu=all,required --device=x.io/fpga,required=false a\n',
    );
    expect(run).toMatchObject({
      devices: [
        { name: 'vendor.com/gpu=0', required: false },
        { name: 'nvidia.com/gpu=all', required: true },
        { name: 'x.io/fpga', required: false },
      ],
    });
    const keys = async (flags: string) => stepsOf(await planOf(`FROM busybox\nRUN ${flags} a\nRUN b\n`))[0].cacheKey;
    const none = await keys('');
    const optional = await keys('--device=vendor.com/gpu=0');
    const required = await keys('--device=vendor.com/gpu=0,required');
    expect(new Set([none, optional, required]).size).toBe(3);
    expect(none).toBe(stepsOf(await planOf('FROM busybox\nRUN a\nRUN b\n'))[0].cacheKey);
  });

  it.each([
    ['--device=gpu', 'error 2:5 invalid device "gpu"'],
    [
      '--device=vendor.com/gpu=0,requird=1',
      "error 2:31 unexpected key 'requird' in 'requird=1' (did you mean required?)",
    ],
    ['--device=vendor.com/gpu=0,required=maybe', 'error 2:31 invalid value for required: maybe'],
    ['--device=vendor.com/gpu=0,name=x.io/y', 'error 2:31 device name already set to vendor.com/gpu=0'],
    ['--device=vendor.com/gpu=0,extra', "error 2:31 invalid field 'extra' must be a key=value pair"],
    [
      '--device=vendor.com/g.pu',
      `error 2:5 invalid device "vendor.com/g.pu": invalid character '.' in class name "g.pu"`,
    ],
    [
      '--device=vendor-/gpu',
      'error 2:5 invalid device "vendor-/gpu": invalid vendor "vendor-", should end with a letter or digit',
    ],
  ])('RUN %s fails as in BuildKit', async (flagText, message) => {
    expect(messages(await planOf(`FROM busybox\nRUN ${flagText} true\n`))).toEqual([message]);
  });

  it('mount from= does not expand variables', async () => {
    const result = await planOf(
      'FROM busybox AS test\nFROM busybox\nENV ttt=test\nRUN --mount=from=$ttt,type=cache,target=/tmp ls\n',
    );
    expect(messages(result)).toEqual([
      "error 4:13 'from' doesn't support variable expansion, define alias stage instead",
    ]);
  });
});

describe('COPY and ADD', () => {
  it('takes an empty --from as no --from: the build context, with the same key (BuildKit looks up only a non-empty one)', async () => {
    const files = { 'a.txt': { content: 'a' } };
    const empty = stepsOf(await planOf('FROM busybox\nCOPY --from= a.txt /x\n', { files }))[0];
    const plain = stepsOf(await planOf('FROM busybox\nCOPY a.txt /x\n', { files }))[0];
    expect(empty.operation).toMatchObject({ type: 'copy', from: { type: 'context' } });
    expect(empty.cacheKey).toBe(plain.cacheKey);
  });

  it('resolves the destination against WORKDIR and records the selected files', async () => {
    const result = await planOf('FROM busybox\nWORKDIR /app\nCOPY --chown=1:2 --chmod=640 a.txt d/ ./\n', {
      files: { 'a.txt': { content: 'a' }, 'd/b.txt': { content: 'b' } },
    });
    const step = stepsOf(result)[1];
    expect(step.args).toEqual(['a.txt', 'd/', '/app/']);
    expect(step.operation).toMatchObject({
      type: 'copy',
      sources: ['a.txt', 'd/'],
      dest: '/app/',
      chown: '1:2',
      chmod: '640',
      from: { type: 'context' },
    });
    const inputs = await listInputs(step.inputs);
    expect(inputs.map((i) => i.type === 'context' && [i.source, i.files.map((f) => f.path)])).toEqual([
      ['a.txt', ['a.txt']],
      ['d/', ['d/b.txt']],
    ]);
  });

  it('a wildcard may match nothing (BuildKit allows empty wildcards)', async () => {
    const step = stepsOf(await planOf('FROM scratch\nCOPY nomatch* /\n'))[0];
    expect(await listInputs(step.inputs)).toEqual([
      {
        type: 'context',
        source: 'nomatch*',
        digest: 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        files: [],
      },
    ]);
  });

  it('a missing source names the path, at the instruction', async () => {
    expect(messages(await planOf('FROM scratch\nCOPY notexist /foo\n'))).toEqual([
      `error 2:1 ${notFound('/notexist')}`,
    ]);
  });

  it('a missing source fails on its step: the step is named as progress names it, with its ERROR line', async () => {
    const result = await planOf('FROM busybox AS s\nFROM busybox\nWORKDIR /w\nCOPY nope$X ./\nRUN true\n');
    expect(result.failure).toEqual({
      message: notFound('/nope'),
      range: expect.objectContaining({ start: expect.objectContaining({ line: 4 }) }),
      step: {
        name: '[stage-1 3/4] COPY nope ./',
        message: 'failed to calculate checksum of ref local::context: "/nope": not found',
        // The stage's platform, which a build of several platforms puts in the name (executor/build/build.ts).
        platform: hostPlatform(),
      },
    });
  });

  it('an ignored file is not in the context', async () => {
    const result = await planOf('FROM scratch\nCOPY app.log /\n', {
      files: { '.dockerignore': { content: '*.log' }, 'app.log': { content: 'x' } },
    });
    expect(messages(result)).toEqual([`error 2:1 ${notFound('/app.log')}`]);
  });

  it.each(['64a', '10000'])('--chmod=%s is invalid', async (mode) => {
    expect(
      messages(await planOf(`FROM scratch\nCOPY --chmod=${mode} foo /\n`, { files: { foo: { content: '' } } })),
    ).toEqual([`error 2:6 invalid chmod parameter: '${mode}'. it should be octal string and between 0 and 07777`]);
  });

  it('several sources may go to a destination without a trailing / (BuildKit copies them in turn)', async () => {
    const result = await planOf('FROM scratch\nCOPY a b /dest\n', {
      files: { a: { content: '' }, b: { content: '' } },
    });
    expect(messages(result)).toEqual([]);
    expect(stepsOf(result)[0].operation).toMatchObject({ sources: ['a', 'b'], dest: '/dest' });
  });

  it('heredoc sources expand unless the name is quoted; quotes in the body stay', async () => {
    const steps = stepsOf(
      await planOf('FROM scratch\nARG W=world\nCOPY <<EOF /a\n"hi" $W \\$\nEOF\nCOPY <<"EOF" /b\n$W \\$\nEOF\n'),
    );
    expect(steps[1].operation).toMatchObject({ inline: [{ name: 'EOF', content: '"hi" world $\n' }] });
    expect(steps[2].operation).toMatchObject({ inline: [{ name: 'EOF', content: '$W \\$\n' }] });
  });

  it('ADD keeps URLs as inputs; COPY refuses them', async () => {
    const step = stepsOf(await planOf('FROM scratch\nADD https://example.com/a.tgz /a\n'))[0];
    expect(step.inputs).toEqual([{ type: 'url', url: 'https://example.com/a.tgz' }]);
    expect(messages(await planOf('FROM scratch\nCOPY https://example.com/a /a\n'))).toEqual([
      "error 2:1 source can't be a URL for COPY",
    ]);
  });

  it('ADD <url> is keyed by the file name and content: pending without --checksum, final with it', async () => {
    const [plain, after] = stepsOf(await planOf('FROM scratch\nADD https://a.example/x/f.tgz /a\nENV A=1\n'));
    expect([plain.keyPending, after.keyPending]).toEqual([true, true]);
    const sum = `sha256:${'a'.repeat(64)}`;
    const pinned = stepsOf(await planOf(`FROM scratch\nADD --checksum=${sum} https://a.example/x/f.tgz /a\n`))[0];
    expect(pinned.keyPending).toBeUndefined();
    // As BuildKit's HTTP source: not the URL; another name or another checksum is another key.
    const key = async (text: string) => stepsOf(await planOf(text))[0].cacheKey;
    expect(await key(`FROM scratch\nADD --checksum=${sum} https://b.example/mirror/f.tgz /a\n`)).toBe(pinned.cacheKey);
    expect(await key('FROM scratch\nADD https://b.example/f.tgz /a\n')).toBe(plain.cacheKey);
    expect(await key('FROM scratch\nADD https://a.example/x/g.tgz /a\n')).not.toBe(plain.cacheKey);
    expect(await key(`FROM scratch\nADD --checksum=sha256:${'b'.repeat(64)} https://a.example/x/f.tgz /a\n`)).not.toBe(
      pinned.cacheKey,
    );
  });

  it('names a download after the decoded last path segment of its URL, as BuildKit', () => {
    expect(downloadName('https://h/a/b%20c.tgz?x=1#y')).toBe('b c.tgz');
    expect(downloadName('https://h/')).toBe('__unnamed__');
    expect(downloadName('https://h/dir/')).toBe('__unnamed__');
    expect(downloadName('https://h/x/..%2F..%2Fetc%2Fpasswd')).toBe('passwd');
    expect(downloadName('https://h/x/%2E%2E')).toBe('__unnamed__');
    expect(downloadName('https://h/a/%zz')).toBe('%zz');
  });

  it('COPY --link keys the layer without its parent', async () => {
    const files = { f: { content: 'x' } };
    const a = stepsOf(await planOf('FROM busybox\nRUN one\nCOPY --link f /f\n', { files }));
    const b = stepsOf(await planOf('FROM busybox\nRUN two\nCOPY --link f /f\n', { files }));
    expect(a[1].cacheKey).toBe(b[1].cacheKey);
    expect(a[0].cacheKey).not.toBe(b[0].cacheKey);
  });
});

describe('config instructions', () => {
  it('build the final image config', async () => {
    const result = await planOf(
      'FROM busybox\nENV A=1\nWORKDIR /w\nWORKDIR sub\nUSER me\nLABEL a=b c="d e"\nEXPOSE 80 53/udp 8000-8001\nVOLUME ["/data"]\nSTOPSIGNAL SIGINT\nCMD run\nENTRYPOINT ["/e"]\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f x\nONBUILD RUN later\n',
    );
    expect(result.plan?.stages[0].config).toEqual({
      Env: ['PATH=/bin', 'A=1'],
      WorkingDir: '/w/sub',
      User: 'me',
      Labels: { a: 'b', c: 'd e' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
      Cmd: ['/bin/sh', '-c', 'run'],
      // Set by every CMD, as BuildKit's dispatchCmd does (docker inspect shows it).
      ArgsEscaped: true,
      Entrypoint: ['/e'],
      Healthcheck: { Test: ['CMD-SHELL', 'curl -f x'], Interval: 30_000_000_000, Retries: 3 },
      OnBuild: ['RUN later'],
    });
  });

  it("HEALTHCHECK: a flag given no value is no value, as BuildKit's parseOptInterval and --retries read it", async () => {
    const result = await planOf('FROM busybox\nHEALTHCHECK --interval= --timeout=5s --retries= CMD true\n');
    expect(result.plan?.stages[0].config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Timeout: 5_000_000_000 });
  });

  it("orders EXPOSE's ports as BuildKit's parseExpose: the written words sorted, then expanded", async () => {
    const dockerfile = 'FROM busybox\nARG P=8080\nEXPOSE 2375 5000 1234/udp\nEXPOSE $P/tcp 443 80-81\n';
    const steps = stepsOf(await planOf(dockerfile));
    expect(steps[1].args).toEqual(['1234/udp', '2375/tcp', '5000/tcp']);
    expect(steps[2].args).toEqual(['8080/tcp', '443/tcp', '80/tcp', '81/tcp']);
  });

  it('ENTRYPOINT clears a CMD inherited from the base, not one set in the stage', async () => {
    const images = { base: { config: { Cmd: ['old'] } } };
    expect((await planOf('FROM base\nENTRYPOINT ["/e"]\n', { images })).plan?.stages[0].config.Cmd).toBeNull();
    expect(
      (await planOf('FROM base\nCMD ["new"]\nENTRYPOINT ["/e"]\n', { images })).plan?.stages[0].config.Cmd,
    ).toEqual(['new']);
  });

  it("the working directory is `/` from scratch, the base image's own (none here) otherwise, as BuildKit", async () => {
    expect((await planOf('FROM scratch\nENV A=1\n')).plan?.stages[0].config.WorkingDir).toBe('/');
    expect((await planOf('FROM busybox\nENV A=1\n')).plan?.stages[0].config.WorkingDir).toBeUndefined();
    const images = { base: { config: { WorkingDir: '/srv' } } };
    expect((await planOf('FROM base\nWORKDIR app\n', { images })).plan?.stages[0].config.WorkingDir).toBe('/srv/app');
  });

  it('WORKDIR / changes only the config; other WORKDIRs create the directory', async () => {
    const steps = stepsOf(await planOf('FROM busybox\nUSER u\nWORKDIR /\nWORKDIR /x\n'));
    expect(steps.map((s) => [s.layer, s.operation.type])).toEqual([
      [false, 'config'],
      [false, 'config'],
      [true, 'mkdir'],
    ]);
    expect(steps[2].operation).toEqual({ type: 'mkdir', path: '/x', user: 'u', epoch: null });
  });

  it('every step but ARG has a key', async () => {
    const steps = stepsOf(await planOf('FROM busybox\nARG A\nLABEL a=b\nRUN x\nMAINTAINER me\n'));
    expect(steps.map((s) => s.cacheKey === null)).toEqual([true, false, false, false]);
    for (const s of steps) if (s.cacheKey !== null) expect(s.cacheKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('the context boundary', () => {
  it('.. and absolute sources stay inside the context; symlinks cannot leave it', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tsbuild-outside-'));
    try {
      await writeFile(join(outside, 'secret'), 'top secret\n');
      const result = await withContext({ a: { content: 'a\n' } }, async (dir) => {
        await symlink(join(outside, 'secret'), join(dir, 'link'));
        await symlink('../../../../../../../../etc/passwd', join(dir, 'rel'));
        const plans = [];
        for (const source of ['../a', '/a', 'link', 'rel']) {
          const planned = await planDir(dir, { dockerfile: `FROM scratch\nCOPY ${source} /x\n`, files: {} });
          plans.push({ ...planned, inputs: await listInputs(planned.plan?.stages[0]?.steps[0]?.inputs ?? []) });
        }
        return plans;
      });
      const [dotdot, absolute, link, rel] = result;
      expect(dotdot.inputs).toMatchObject([{ type: 'context', files: [{ path: 'a' }] }]);
      expect(stepsOf(absolute)[0].cacheKey).toBe(
        stepsOf(dotdot)[0].cacheKey === null ? null : stepsOf(absolute)[0].cacheKey,
      );
      expect(messages(link)).toEqual([`error 2:1 ${notFound('/link')}`]);
      expect(messages(rel)).toEqual([`error 2:1 ${notFound('/rel')}`]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
