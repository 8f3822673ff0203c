// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Dockerfile text, not templates
// What progress and errors name a step by, as BuildKit's prefixCommand(uppercaseCmd(processCmdEnv(…))) gives it;
// the expected texts are docker build's (BuildKit) for the same Dockerfiles.
import { describe, expect, it } from 'vitest';
import { planOf, stepsOf } from './helpers/scenario.js';

const titles = async (dockerfile: string, buildArgs: Record<string, string> = {}) =>
  stepsOf(await planOf(dockerfile, { buildArgs, files: { 'a.txt': { content: 'a' } } })).map((s) => s.title ?? null);

describe('step titles', () => {
  it('expand RUN variables with build args and ENV, keeping quotes (single-quoted text unexpanded) and unset variables as written', async () => {
    expect(
      await titles('FROM busybox\nARG CFLAGS="-O2 -Wall"\nENV V=1\nRUN gcc ${CFLAGS} "$V" \'$V\' $0 $UNSET x.c\n', {
        CFLAGS: '-O1',
      }),
    ).toEqual([null, null, 'RUN gcc -O1 "1" \'$V\' $0 $UNSET x.c']);
  });

  it('expand COPY, ADD and WORKDIR with the plain lexer, upper-case the keyword, leave other kinds alone', async () => {
    expect(
      await titles('FROM busybox\nARG D=/dst\nworkdir $D/w\ncopy --chmod=644 "a.txt" ${D}/\nENV E=$D\nLABEL l=$D\n'),
    ).toEqual([null, 'WORKDIR /dst/w', 'COPY --chmod=644 a.txt /dst/', null, null]);
  });

  it('summarise the body of a RUN that is one heredoc, not of a command around one', async () => {
    const dockerfile =
      'FROM busybox\nARG WHO=world\nRUN <<EOF\necho "hi $WHO" > /g\necho 2\nEOF\nRUN <<EOF\n  one line\nEOF\nRUN <<EOF bash\necho x\nEOF\n';
    expect(await titles(dockerfile)).toEqual([
      null,
      'RUN <<EOF (echo "hi world" > /g...)',
      'RUN <<EOF (one line)',
      'RUN <<EOF bash',
    ]);
  });

  it('mask a secret mounted as an env variable', async () => {
    expect(await titles('FROM busybox\nRUN --mount=type=secret,id=t,env=TOKEN curl -H "$TOKEN" x\n')).toEqual([
      'RUN --mount=type=secret,id=t,env=TOKEN curl -H "****" x',
    ]);
  });

  it('prefix ONBUILD triggers', async () => {
    const images = { parent: { config: { OnBuild: ['ARG G=hi', 'RUN echo $G', 'ENV A=1'] } } };
    const steps = stepsOf(await planOf('FROM parent\nRUN true\n', { images }));
    expect(steps.map((s) => s.title ?? null)).toEqual([null, 'ONBUILD RUN echo hi', null, 'RUN true']);
  });
});
