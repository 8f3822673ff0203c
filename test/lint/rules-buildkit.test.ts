// Each BuildKit check: Dockerfiles that trigger it (exact message and range) and near misses that do not.
import { describe, expect, it } from 'vitest';
import type { LintOptions } from '../../lint/index.js';
import { findingsOf } from './helpers.js';

interface Case {
  readonly name: string;
  readonly text: string;
  readonly expected: string[];
  readonly options?: LintOptions;
}

const cases: Record<string, Case[]> = {
  StageNameCasing: [
    {
      name: 'upper-case name',
      text: 'FROM alpine AS Build\n',
      expected: ["1:16-1:21 StageNameCasing Stage name 'Build' should be lowercase"],
    },
    { name: 'lower-case name', text: 'FROM alpine AS build\n', expected: [] },
    { name: 'no name', text: 'FROM alpine\n', expected: [] },
  ],
  FromAsCasing: [
    {
      name: 'FROM … as',
      text: 'FROM alpine as build\n',
      expected: ["1:13-1:15 FromAsCasing 'as' and 'FROM' keywords' casing do not match"],
    },
    {
      name: 'from … AS',
      text: 'from alpine AS build\n',
      expected: ["1:13-1:15 FromAsCasing 'AS' and 'from' keywords' casing do not match"],
    },
    { name: 'matching case', text: 'from alpine as build\nFROM alpine AS b2\n', expected: [] },
    { name: 'mixed From is left to ConsistentInstructionCasing', text: 'From alpine as build\n', expected: [] },
  ],
  NoEmptyContinuation: [
    {
      name: 'blank line inside a continuation',
      text: 'FROM alpine\nRUN apk add \\\n\n    curl\n',
      expected: ['3:1-3:1 NoEmptyContinuation Empty continuation line'],
    },
    {
      name: 'whitespace-only line, one finding per instruction',
      text: 'FROM alpine\nRUN a \\\n  \n  b \\\n\n  c\n',
      expected: ['3:1-3:3 NoEmptyContinuation Empty continuation line'],
    },
    { name: 'comment line inside a continuation', text: 'FROM alpine\nRUN a \\\n# note\n  b\n', expected: [] },
    { name: 'blank line inside a heredoc', text: 'FROM alpine\nRUN <<EOF\necho a\n\necho b\nEOF\n', expected: [] },
  ],
  ConsistentInstructionCasing: [
    {
      name: 'minority lower case',
      text: 'FROM alpine\nrun true\nRUN false\n',
      expected: [
        "2:1-2:4 ConsistentInstructionCasing Command 'run' should match the case of the command majority (uppercase)",
      ],
    },
    {
      name: 'majority lower case, mixed keyword',
      text: 'from alpine\nrun true\nCopy a b\n',
      expected: [
        "3:1-3:5 ConsistentInstructionCasing Command 'Copy' should match the case of the command majority (lowercase)",
      ],
    },
    { name: 'global ARG is not counted', text: 'arg V=1\nFROM alpine\nRUN true\n', expected: [] },
  ],
  DuplicateStageName: [
    {
      name: 'same name after lower-casing',
      text: 'FROM alpine AS b\nFROM alpine AS B\n',
      expected: ['2:16-2:17 DuplicateStageName Duplicate stage name "b", stage names should be unique'],
    },
    { name: 'distinct names', text: 'FROM alpine AS b1\nFROM alpine AS b2\n', expected: [] },
  ],
  ReservedStageName: [
    {
      name: 'stage named context',
      text: 'FROM alpine AS context\n',
      expected: ['1:16-1:23 ReservedStageName Stage name should not use the same name as reserved stage "context"'],
    },
    { name: 'scratch as the base', text: 'FROM scratch AS base\n', expected: [] },
  ],
  JSONArgsRecommended: [
    {
      name: 'shell-form CMD',
      text: 'FROM alpine\nCMD node  server.js\n',
      expected: [
        '2:5-2:20 JSONArgsRecommended JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
      ],
    },
    { name: 'exec form', text: 'FROM alpine\nENTRYPOINT ["node"]\n', expected: [] },
    {
      name: 'SHELL in the parent stage',
      text: 'FROM alpine AS a\nSHELL ["/bin/bash", "-c"]\nFROM a\nCMD run\n',
      expected: [],
    },
    { name: 'RUN never', text: 'FROM alpine\nRUN echo hi\n', expected: [] },
  ],
  MaintainerDeprecated: [
    {
      name: 'MAINTAINER',
      text: 'FROM alpine\nMAINTAINER me\n',
      expected: ['2:1-2:11 MaintainerDeprecated Maintainer instruction is deprecated in favor of using label'],
    },
    { name: 'LABEL', text: 'FROM alpine\nLABEL org.opencontainers.image.authors=me\n', expected: [] },
  ],
  UndefinedArgInFrom: [
    {
      name: 'undeclared, with a suggestion, inside the image name',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
      text: 'ARG VERSION=3\nFROM alpine:${VERSON}\n',
      expected: ["2:13-2:22 UndefinedArgInFrom FROM argument 'VERSON' is not declared (did you mean VERSION?)"],
    },
    {
      name: 'undeclared platform variable',
      text: 'FROM --platform=$BULIDPLATFORM alpine\n',
      expected: [
        "1:17-1:31 UndefinedArgInFrom FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)",
      ],
    },
    { name: 'global ARG and built-in', text: 'ARG V\nFROM --platform=$BUILDPLATFORM alpine:$V\n', expected: [] },
    { name: 'build argument', text: 'FROM alpine:$V\n', options: { buildArgs: { V: '3' } }, expected: [] },
  ],
  WorkdirRelativePath: [
    {
      name: 'first WORKDIR relative',
      text: 'FROM alpine\nWORKDIR app/\nWORKDIR more\n',
      expected: [
        '2:9-2:13 WorkdirRelativePath Relative workdir "app/" can have unexpected results if the base image changes',
      ],
    },
    { name: 'absolute first', text: 'FROM alpine\nWORKDIR /app\nWORKDIR sub\n', expected: [] },
    { name: 'absolute through a variable', text: 'FROM alpine\nENV D=/srv\nWORKDIR $D/app\n', expected: [] },
  ],
  UndefinedVar: [
    {
      name: 'used before declared, exact reference range',
      text: 'FROM alpine\nCOPY a$foo.txt .\nARG foo=bar\n',
      expected: ["2:7-2:11 UndefinedVar Usage of undefined variable '$foo'"],
    },
    {
      name: 'suggestion from the environment',
      text: 'FROM alpine\nENV PATH=$PAHT:/opt/bin\n',
      expected: ["2:10-2:15 UndefinedVar Usage of undefined variable '$PAHT' (did you mean $PATH?)"],
    },
    {
      name: 'inside a continuation line',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
      text: 'FROM alpine\nENV A=1 \\\n    B=${NOPE}\n',
      expected: ["3:7-3:14 UndefinedVar Usage of undefined variable '$NOPE'"],
    },
    {
      name: 'RUN mount option',
      text: 'FROM alpine\nRUN --mount=type=cache,target=$CACHE true\n',
      expected: ["2:31-2:37 UndefinedVar Usage of undefined variable '$CACHE'"],
    },
    { name: 'shell-form RUN is left to the shell', text: 'FROM alpine\nRUN echo $NOPE\n', expected: [] },
    {
      name: 'ARG without value, inherited stage ARG',
      text: 'FROM alpine AS a\nARG X\nFROM a\nCOPY $X .\n',
      expected: [],
    },
    { name: 'single quotes are not expanded', text: "FROM alpine\nENV A='$NOPE'\n", expected: [] },
  ],
  MultipleInstructionsDisallowed: [
    {
      name: 'two CMDs, reported at the first',
      text: 'FROM alpine\nCMD ["a"]\nRUN true\nCMD ["b"]\n',
      expected: [
        '2:1-2:4 MultipleInstructionsDisallowed Multiple CMD instructions should not be used in the same stage because only the last one will be used',
      ],
    },
    { name: 'one per stage', text: 'FROM alpine AS a\nCMD ["a"]\nFROM a\nCMD ["b"]\n', expected: [] },
  ],
  LegacyKeyValueFormat: [
    {
      name: 'ENV key value',
      text: 'FROM alpine\nENV key some value\n',
      expected: [
        '2:5-2:19 LegacyKeyValueFormat "ENV key=value" should be used instead of legacy "ENV key value" format',
      ],
    },
    { name: 'key=value', text: 'FROM alpine\nENV key=value\nLABEL a=b\n', expected: [] },
  ],
  InvalidBaseImagePlatform: [
    {
      name: 'known platform mismatch',
      text: 'FROM example.com/app:1\n',
      options: { baseImagePlatforms: { 'example.com/app:1': 'linux/arm64' } },
      expected: [
        '1:6-1:23 InvalidBaseImagePlatform Base image example.com/app:1 was pulled with platform "linux/arm64", expected "linux/amd64" for current build',
      ],
    },
    { name: 'unknown image platforms', text: 'FROM example.com/app:1\n', expected: [] },
  ],
  RedundantTargetPlatform: [
    {
      name: '$TARGETPLATFORM',
      text: 'FROM --platform=$TARGETPLATFORM alpine\n',
      expected: [
        '1:17-1:32 RedundantTargetPlatform Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
      ],
    },
    { name: '$BUILDPLATFORM', text: 'FROM --platform=$BUILDPLATFORM alpine\n', expected: [] },
  ],
  SecretsUsedInArgOrEnv: [
    {
      name: 'ENV and ARG keys',
      text: 'FROM alpine\nENV DB_PASSWORD=x\nARG github_token\n',
      expected: [
        '2:5-2:16 SecretsUsedInArgOrEnv Do not use ARG or ENV instructions for sensitive data (ENV "DB_PASSWORD")',
        '3:5-3:17 SecretsUsedInArgOrEnv Do not use ARG or ENV instructions for sensitive data (ARG "github_token")',
      ],
    },
    {
      name: 'allowed words and partial words',
      text: 'FROM alpine\nENV PUBLIC_KEY=x secretive=1\nARG TOKEN_FILE\n',
      expected: [],
    },
    { name: 'global ARG is not dispatched', text: 'ARG PASSWORD=x\nFROM alpine\n', expected: [] },
  ],
  InvalidDefaultArgInFrom: [
    {
      name: 'empty default',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
      text: 'ARG TAG\nFROM busybox:${TAG}\n',
      expected: [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
        '2:6-2:20 InvalidDefaultArgInFrom Default value for ARG busybox:${TAG} results in empty or invalid base image name',
      ],
    },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
    { name: 'default given', text: 'ARG TAG=1\nFROM busybox:${TAG}\n', expected: [] },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
    { name: 'fallback in the reference', text: 'FROM busybox:${TAG:-1}\n', expected: [] },
    { name: 'platform ARG resolves to a stage', text: 'FROM scratch AS bin-linux\nFROM bin-$TARGETOS\n', expected: [] },
  ],
  FromPlatformFlagConstDisallowed: [
    {
      name: 'constant platform',
      text: 'FROM --platform=linux/arm64 alpine AS base\n',
      expected: [
        '1:17-1:28 FromPlatformFlagConstDisallowed FROM --platform flag should not use constant value "linux/arm64"',
      ],
    },
    { name: 'stage named after the arch', text: 'FROM --platform=linux/arm64 alpine AS build-arm64\n', expected: [] },
    { name: 'variable', text: 'FROM --platform=$BUILDPLATFORM alpine\n', expected: [] },
  ],
  CopyIgnoredFile: [
    {
      name: 'ignored file and directory content',
      text: 'FROM alpine\nCOPY secret.txt ./\nADD build/out.bin /\n',
      options: { dockerignore: 'secret.txt\nbuild\n' },
      expected: [
        '2:6-2:16 CopyIgnoredFile Attempting to Copy file "secret.txt" that is excluded by .dockerignore',
        '3:5-3:18 CopyIgnoredFile Attempting to Add file "build/out.bin" that is excluded by .dockerignore',
      ],
    },
    {
      name: 'exception turns it off',
      text: 'FROM alpine\nCOPY a .\n',
      options: { dockerignore: '*\n!a\n' },
      expected: [],
    },
    {
      name: 'COPY --from',
      text: 'FROM alpine AS a\nFROM alpine\nCOPY --from=a x .\n',
      options: { dockerignore: 'x\n' },
      expected: [],
    },
  ],
  InvalidDefinitionDescription: [
    {
      name: 'enabled by the directive',
      text: '# check=experimental=InvalidDefinitionDescription\nFROM alpine\n# the version\nARG version=1\n',
      expected: [
        '4:1-4:4 InvalidDefinitionDescription Comment for ARG should follow the format: `# version <description>`',
      ],
    },
    { name: 'off by default', text: 'FROM alpine\n# the version\nARG version=1\n', expected: [] },
  ],
  ExposeProtoCasing: [
    {
      name: 'upper-case protocol',
      text: 'FROM alpine\nEXPOSE 80 53/UDP\n',
      expected: ["2:11-2:17 ExposeProtoCasing Defined protocol '53/UDP' in EXPOSE instruction should be lowercase"],
    },
    { name: 'lower case', text: 'FROM alpine\nEXPOSE 53/udp\n', expected: [] },
  ],
  ExposeInvalidFormat: [
    {
      name: 'host port mapping',
      text: 'FROM alpine\nEXPOSE 8080:80\n',
      expected: [
        "2:8-2:15 ExposeInvalidFormat EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80'",
      ],
    },
    { name: 'port range', text: 'FROM alpine\nEXPOSE 8000-8010/tcp\n', expected: [] },
  ],
};

describe('BuildKit checks', () => {
  it('covers all 22 rules', () => {
    expect(Object.keys(cases)).toHaveLength(22);
  });
  for (const [rule, list] of Object.entries(cases)) {
    describe(rule, () => {
      for (const c of list) {
        it(c.name, () => {
          expect(findingsOf(rule, c.text, c.options)).toEqual(c.expected);
        });
      }
    });
  }
});
