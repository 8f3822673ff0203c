// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Dockerfile text, not templates
// ARG and ENV scoping and expansion, as BuildKit's dispatcher does it.

import { describe, expect, it } from 'vitest';
import { messages, planOf, stepsOf } from './helpers/scenario.js';

const runEnv = (steps: ReturnType<typeof stepsOf>, i: number) => {
  const op = steps[i].operation;
  if (op.type !== 'run') throw new Error(`step ${i} is ${op.type}`);
  return op.env;
};

describe('ARG scoping', () => {
  it('global ARGs are usable in FROM but not in the stage unless redeclared', async () => {
    const result = await planOf('ARG IMG=busybox\nARG V=1\nFROM $IMG\nRUN echo\nARG V\nRUN echo\n');
    const steps = stepsOf(result);
    expect(result.plan?.stages[0].base).toEqual({
      type: 'image',
      ref: 'docker.io/library/busybox:latest',
      digest: null,
      resolved: true,
    });
    expect(runEnv(steps, 0)).toEqual(['PATH=/bin']);
    expect(runEnv(steps, 2)).toEqual(['PATH=/bin', 'V=1']);
  });

  it('--build-arg overrides defaults; undeclared build args are invisible', async () => {
    const result = await planOf('FROM busybox\nARG A=x\nARG B\nRUN echo\n', { buildArgs: { A: 'y', C: 'z' } });
    expect(runEnv(stepsOf(result), 2)).toEqual(['PATH=/bin', 'A=y']);
    expect(stepsOf(result)[2].buildArgs).toEqual(['A=y', 'B=']);
  });

  it("a RUN's history args name every declared ARG, unset ones as K=, with the value ENV gives it", async () => {
    const result = await planOf('FROM busybox\nARG A=1 B\nENV A=env\nARG C=c\nARG B\nRUN x\n');
    expect(stepsOf(result)[4].buildArgs).toEqual(['A=env', 'B=', 'C=c']);
  });

  it('an ARG default expands earlier ARGs and ENV', async () => {
    const result = await planOf('FROM busybox\nENV E=e\nARG A=1\nARG B=${A}-$E\nRUN x\n');
    expect(runEnv(stepsOf(result), 3)).toEqual(['PATH=/bin', 'E=e', 'A=1', 'B=1-e']);
  });

  it('predefined platform args are global: usable in FROM, and in stages when declared', async () => {
    const result = await planOf('FROM --platform=$BUILDPLATFORM busybox\nARG TARGETARCH\nARG TARGETPLATFORM\nRUN x\n');
    expect(result.plan?.stages[0].platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(runEnv(stepsOf(result), 2)).toEqual(['PATH=/bin', 'TARGETARCH=amd64', 'TARGETPLATFORM=linux/amd64']);
  });

  it('ENV shadows an ARG of the same name; a later ARG without value keeps it', async () => {
    const result = await planOf('FROM busybox\nARG V=arg\nENV V=env\nRUN x\n', { buildArgs: { V: 'cli' } });
    expect(runEnv(stepsOf(result), 2)).toEqual(['PATH=/bin', 'V=env']);
  });

  it('ENV pairs expand with the environment before the instruction', async () => {
    const result = await planOf('FROM busybox\nENV A=1\nENV A=2 B=$A\nRUN x\n');
    expect(stepsOf(result)[1].args).toEqual(['A=2', 'B=1']);
    expect(stepsOf(result)[2].env).toEqual(['PATH=/bin', 'A=2', 'B=1']);
  });

  it('RUN, CMD and ENTRYPOINT are not expanded by the builder', async () => {
    const steps = stepsOf(await planOf('FROM busybox\nENV A=1\nRUN echo $A\nCMD echo $A\n'));
    expect(steps[1].args).toEqual(['/bin/sh', '-c', 'echo $A']);
    expect(steps[2].args).toEqual(['/bin/sh', '-c', 'echo $A']);
  });

  it('expands COPY, WORKDIR, USER, LABEL, EXPOSE, VOLUME and STOPSIGNAL', async () => {
    const steps = stepsOf(
      await planOf(
        'FROM busybox\nARG D=/d P=80 U=me\nWORKDIR $D\nUSER ${U}\nLABEL k=$U\nEXPOSE $P\nVOLUME $D/v\nSTOPSIGNAL SIG${U:+TERM}\nCOPY f${P} ./\n',
        {
          files: { f80: { content: 'x' } },
        },
      ),
    );
    expect(steps.map((s) => s.args)).toEqual([
      ['D=/d', 'P=80', 'U=me'],
      ['/d'],
      ['me'],
      ['k=me'],
      ['80/tcp'],
      ['/d/v'],
      ['SIGTERM'],
      ['f80', '/d/'],
    ]);
  });

  it('a --build-arg K given as a proxy variable reaches RUN outside the key', async () => {
    const step = stepsOf(await planOf('FROM busybox\nRUN x\n', { buildArgs: { HTTPS_PROXY: 'http://p' } }))[0];
    expect(step.operation.type === 'run' && step.operation.proxyEnv).toEqual(['HTTPS_PROXY=http://p']);
  });
});

describe('undefined variables', () => {
  it('are reported as warnings with the word range', async () => {
    const result = await planOf('FROM busybox\nARG DECLARED\nCOPY $nope${DECLARED} /\nRUN echo $alsonot\n', {
      files: { x: { content: '' } },
    });
    expect(messages(result).filter((m) => m.startsWith('warning'))).toEqual([
      "warning 3:6 Usage of undefined variable '$nope'",
    ]);
  });

  it('in the default of an ARG before the first FROM are not reported, as BuildKit reports none there', async () => {
    const result = await planOf('ARG A=$NOPE\nFROM busybox\nARG A\nRUN echo $A\n');
    expect(messages(result)).toEqual([]);
  });

  it('suggest a close name', async () => {
    const result = await planOf('FROM busybox\nWORKDIR /$PAHT\n');
    expect(messages(result)).toEqual(["warning 2:9 Usage of undefined variable '$PAHT' (did you mean $PATH?)"]);
  });

  it('in FROM are reported as undeclared FROM arguments', async () => {
    const result = await planOf('FROM busybox$TAG\n');
    expect(messages(result)).toEqual(["warning 1:6 FROM argument 'TAG' is not declared"]);
  });
});

describe('expansion errors', () => {
  it('a required global ARG fails with the lexer message at the ARG', async () => {
    const result = await planOf('ARG FOO=${FOO:?"custom error"}\nFROM busybox\n');
    expect(result.plan).toBeNull();
    expect(messages(result)).toEqual(['error 1:5 failed to process "${FOO:?\\"custom error\\"}": FOO: custom error']);
  });

  it('an invalid SOURCE_DATE_EPOCH fails', async () => {
    const result = await planOf('ARG SOURCE_DATE_EPOCH=not-a-timestamp\nFROM scratch\n');
    expect(messages(result)).toEqual(['error 1:1 invalid SOURCE_DATE_EPOCH: not-a-timestamp']);
  });
});
