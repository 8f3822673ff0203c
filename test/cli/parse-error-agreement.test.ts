// `tsbuild build` (the planner) and `tsbuild build --check` (the linter's build rules, which do not plan) find a
// broken Dockerfile's error apart: the two must say the same, with BuildKit's `dockerfile parse error on line N:`
// where BuildKit's instruction parser raises it (the two lists of such errors are kept apart; this holds them together).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommand } from '../e2e/build-command.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-parse-agree-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The first `ERROR` line of a build and of its --check, without buildx's `failed to solve: ` of a build. */
async function errors(dockerfile: string): Promise<{ build: string; check: string }> {
  const ctx = await mkdtemp(path.join(dir, 'c'));
  await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
  const store = path.join(dir, 'store');
  const first = (stderr: string) => stderr.split('\n').find((line) => line.startsWith('ERROR: ')) ?? stderr;
  const build = first((await buildCommand(store, { context: ctx, quiet: true })).stderr);
  const check = first((await buildCommand(store, { context: ctx, call: 'check' })).stderr);
  return { build: build.replace(/^ERROR: failed to solve: /, 'ERROR: '), check };
}

describe('a broken Dockerfile: the same error from build and --check', () => {
  it.each([
    ['FROM scratch\nFOO bar\n', 'dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)'],
    ['FROM scratch\nRUN --bogus=1 true\n', 'dockerfile parse error on line 2: unknown flag: --bogus'],
    [
      'FROM scratch\nRUN --mont=type=cache,target=/c true\n',
      'dockerfile parse error on line 2: unknown flag: --mont (did you mean mount?)',
    ],
    [
      'FROM scratch\nCOPY --link=yes a /b\n',
      'dockerfile parse error on line 2: expecting boolean value for flag --link, not: yes',
    ],
    ['FROM scratch\nRUN --mount=type=nope true\n', 'dockerfile parse error on line 2: unsupported mount type "nope"'],
    ['FROM scratch\nRUN --network=bogus true\n', 'dockerfile parse error on line 2: invalid network mode "bogus"'],
    ['FROM scratch\nRUN --security=bogus true\n', 'dockerfile parse error on line 2: security "bogus" is not valid'],
    ['FROM scratch\nENV\n', 'dockerfile parse error on line 2: ENV requires at least one argument'],
    [
      'FROM scratch AS 1bad\n',
      'dockerfile parse error on line 1: invalid name for build stage: "1bad", name can\'t start with a number or contain symbols',
    ],
    [
      'FROM scratch\nSHELL /bin/sh\n',
      'dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form',
    ],
    [
      'FROM scratch\nONBUILD ONBUILD RUN x\n',
      "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
    ],
    [
      'FROM scratch\nHEALTHCHECK FOO\n',
      'dockerfile parse error on line 2: Unknown type "FOO" in HEALTHCHECK (try CMD)',
    ],
    ['FROM scratch\nHEALTHCHECK NONE x\n', 'dockerfile parse error on line 2: HEALTHCHECK NONE takes no arguments'],
    // BuildKit parses HEALTHCHECK's flags before its type, and expands none of them.
    ['FROM scratch\nHEALTHCHECK --bogus=1 FOO\n', 'dockerfile parse error on line 2: unknown flag: --bogus'],
    [
      'FROM scratch\nHEALTHCHECK --retries=x CMD true\n',
      'dockerfile parse error on line 2: strconv.ParseInt: parsing "x": invalid syntax',
    ],
    [
      'FROM scratch\nHEALTHCHECK --interval=$I CMD true\n',
      'dockerfile parse error on line 2: time: invalid duration "$I"',
    ],
    [
      'FROM scratch\nRUN --device=/dev/x,bogus=1 true\n',
      "dockerfile parse error on line 2: unexpected key 'bogus' in 'bogus=1'",
    ],
    // BuildKit's flag suggestions are case-sensitive: none for a flag written in upper case.
    [
      'FROM scratch\nRUN --MOUNT=type=cache,target=/c true\n',
      'dockerfile parse error on line 2: unknown flag: --MOUNT',
    ],
    ['FROM scratch\nCOPY --FROM=x a /b\n', 'dockerfile parse error on line 2: unknown flag: --FROM'],
    ['FROM scratch\nCOPY --link --link a /b\n', 'dockerfile parse error on line 2: duplicate flag specified: --link'],
    ['FROM scratch\nCOPY --link= a /b\n', 'dockerfile parse error on line 2: missing a value on flag: --link'],
    ['FROM scratch\nCOPY --chmod a /b\n', 'dockerfile parse error on line 2: missing a value on flag: --chmod'],
    [
      'FROM --platform=a --platform=b scratch\n',
      'dockerfile parse error on line 1: duplicate flag specified: --platform',
    ],
    [
      'FROM --platfrom=linux/amd64 scratch\n',
      'dockerfile parse error on line 1: unknown flag: --platfrom (did you mean platform?)',
    ],
    [
      'FROM scratch\nRUN --network=none --network=host true\n',
      'dockerfile parse error on line 2: duplicate flag specified: --network',
    ],
    ['FROM\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments'],
    ['FROM scratch b\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments'],
    ['FROM scratch AS\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments'],
    ['FROM scratch as x y\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments'],
    // Every instruction is parsed, in source order, before the target is resolved (BuildKit's instructions.Parse).
    [
      'FROM scratch\nCOPY --frm=x a /b\nFROOM x\n',
      'dockerfile parse error on line 2: unknown flag: --frm (did you mean from?)',
    ],
    [
      'FROM scratch AS a\nFROM scratch AS unused\nCOPY --bogus a /b\nFROM a\n',
      'dockerfile parse error on line 3: unknown flag: --bogus',
    ],
    [
      'FROM scratch\nFROM --bogus=1 scratch AS unused\nFROM scratch\n',
      'dockerfile parse error on line 2: unknown flag: --bogus',
    ],
    [
      'FROM scratch AS unused\nENV\nFROM scratch\n',
      'dockerfile parse error on line 2: ENV requires at least one argument',
    ],
    [
      'FROM scratch AS unused\nHEALTHCHECK FOO\nFROM scratch\n',
      'dockerfile parse error on line 2: Unknown type "FOO" in HEALTHCHECK (try CMD)',
    ],
    [
      'FROM scratch AS unused\nSHELL /bin/sh\nFROM scratch\n',
      'dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form',
    ],
    [
      'FROM scratch AS unused\nRUN --network=bogus true\nFROM scratch\n',
      'dockerfile parse error on line 2: invalid network mode "bogus"',
    ],
    [
      'FROM scratch AS unused\nCOPY a\nFROM scratch\n',
      'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    ],
    [
      'FROM scratch AS unused\nONBUILD ONBUILD RUN x\nFROM scratch\n',
      "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
    ],
    // The arguments: one judge (the parser's argumentProblem), in the order of BuildKit's parse functions.
    ['FROM scratch\nARG\n', 'dockerfile parse error on line 2: ARG requires at least one argument'],
    ['FROM scratch\nARG =x\n', 'dockerfile parse error on line 2: ARG names can not be blank'],
    ['FROM scratch\nMAINTAINER\n', 'dockerfile parse error on line 2: MAINTAINER requires exactly one argument'],
    ['FROM scratch\nSHELL []\n', 'dockerfile parse error on line 2: SHELL requires at least one argument'],
    [
      'FROM scratch\nCOPY <<EOF <<EOT\nx\nEOF\ny\nEOT\n',
      'dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination',
    ],
    [
      'FROM scratch\nCOPY --bogus a\n',
      'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    ],
    ['FROM scratch\nENV --bogus=1\n', 'dockerfile parse error on line 2: unknown flag: --bogus'],
    [
      'FROM scratch AS unused\nRUN --mount=from=$X,target=/x true\nFROM scratch\n',
      "dockerfile parse error on line 2: 'from' doesn't support variable expansion, define alias stage instead",
    ],
    [
      'FROM scratch\nONBUILD FROM alpine\n',
      "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger",
    ],
    [
      'FROM scratch\nONBUILD MAINTAINER me\n',
      "dockerfile parse error on line 2: MAINTAINER isn't allowed as an ONBUILD trigger",
    ],
    [
      'FROM scratch\nRUN --mount=type=tmpfs,size=abc,target=/t true\n',
      'dockerfile parse error on line 2: invalid value for size: abc',
    ],
    // moby/sys/signal's ParseSignal in the dispatcher, not a parse error.
    ['FROM scratch\nSTOPSIGNAL SIGFOO\n', 'invalid signal: SIGFOO'],
    ['FROM scratch\nARG S=RTMAX-15\nSTOPSIGNAL $S\n', 'invalid signal: RTMAX-15'],
    // distribution's ParseNormalizedNamed, not a parse error: the normalised repository in the message.
    [
      'FROM Alpine:3\n',
      'failed to parse stage name "Alpine:3": invalid reference format: repository name (library/Alpine) must be lowercase',
    ],
    [
      'FROM my.registry:5000/Team/app\n',
      'failed to parse stage name "my.registry:5000/Team/app": invalid reference format: repository name (Team/app) must be lowercase',
    ],
    [
      'FROM scratch\nCOPY --chmod=bad a /b\n',
      "invalid chmod parameter: 'bad'. it should be octal string and between 0 and 07777",
    ],
  ])('%j', async (dockerfile, message) => {
    expect(await errors(dockerfile)).toEqual({ build: `ERROR: ${message}`, check: `ERROR: ${message}` });
  });

  it('neither calls a base image reference that does not parse a parse error (the dispatcher raises it)', async () => {
    const { build, check } = await errors('FROM Alpine\n');
    const prefix = 'ERROR: failed to parse stage name "Alpine": ';
    expect([build.startsWith(prefix), check.startsWith(prefix)]).toEqual([true, true]);
  });

  it('neither refuses the flags BuildKit never parses: STOPSIGNAL’s, HEALTHCHECK NONE’s', async () => {
    for (const dockerfile of [
      'FROM scratch\nSTOPSIGNAL --x SIGTERM\n',
      'FROM scratch\nHEALTHCHECK --interval=1s NONE\n',
    ]) {
      const ctx = await mkdtemp(path.join(dir, 'c'));
      await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
      const store = path.join(dir, 'store');
      const built = await buildCommand(store, { context: ctx, quiet: true });
      expect([built.code, built.stderr]).toEqual([0, '']);
      const checked = await buildCommand(store, { context: ctx, call: 'check' });
      expect([checked.code, checked.stdout]).toEqual([0, 'Check complete, no warnings found.\n']);
    }
  });
});
