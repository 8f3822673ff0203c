// Errors `docker build` reports before running anything: BuildKit's messages, exact ranges, near misses.
import { describe, expect, it } from 'vitest';
import { findingsOf } from './helpers.js';

const cases: Record<string, { name: string; text: string; expected: string[] }[]> = {
  'unknown-instruction': [
    {
      name: 'typo with a suggestion',
      text: 'FROM alpine\nRUNN true\n',
      expected: ['2:1-2:5 unknown-instruction unknown instruction: RUNN (did you mean RUN?)'],
    },
    {
      name: 'the suggestion takes the case of the keyword as written',
      text: 'from alpine\nrunn true\n',
      expected: ['2:1-2:5 unknown-instruction unknown instruction: RUNN (did you mean run?)'],
    },
    {
      name: 'nothing close',
      text: 'FROM alpine\nBADCMD x\n',
      expected: ['2:1-2:7 unknown-instruction unknown instruction: BADCMD'],
    },
    { name: 'known instruction in any case', text: 'from alpine\nRuN true\n', expected: [] },
  ],
  'invalid-flag': [
    {
      name: 'unknown flag',
      text: 'FROM alpine\nCOPY --user=me a b\n',
      expected: ['2:6-2:15 invalid-flag unknown flag: --user'],
    },
    {
      name: 'unknown flag close to a known one',
      text: 'FROM alpine\nRUN --mont=type=cache,target=/c true\n',
      expected: ['2:5-2:32 invalid-flag unknown flag: --mont (did you mean mount?)'],
    },
    {
      name: 'missing value',
      text: 'FROM alpine\nCOPY --chmod a b\n',
      expected: ['2:6-2:13 invalid-flag missing a value on flag: --chmod'],
    },
    {
      name: 'boolean value',
      text: 'FROM alpine\nCOPY --link=yes a b\n',
      expected: ['2:6-2:16 invalid-flag expecting boolean value for flag --link, not: yes'],
    },
    {
      name: 'duplicate',
      text: 'FROM --platform=a --platform=b alpine\n',
      expected: ['1:19-1:31 invalid-flag duplicate flag specified: --platform'],
    },
    {
      name: 'valid flags',
      text: 'FROM alpine\nCOPY --link --chmod=755 --exclude=a --exclude=b a b\nRUN --mount=type=cache,target=/c --network=none true\n',
      expected: [],
    },
  ],
  'invalid-flag-value': [
    {
      name: '--network',
      text: 'FROM alpine\nRUN --network=bridge true\n',
      expected: ['2:15-2:21 invalid-flag-value invalid network mode "bridge"'],
    },
    {
      name: '--chmod',
      text: 'FROM alpine\nCOPY --chmod=64a a b\n',
      expected: [
        "2:14-2:17 invalid-flag-value invalid chmod parameter: '64a'. it should be octal string and between 0 and 07777",
      ],
    },
    {
      name: '--device: an unknown key',
      text: 'FROM alpine\nRUN --device=vendor.com/gpu=0,requird=true true\n',
      expected: ["2:31-2:43 invalid-flag-value unexpected key 'requird' in 'requird=true' (did you mean required?)"],
    },
    {
      name: '--device: not a CDI name',
      text: 'FROM alpine\nRUN --device=gpu true\nRUN --device=vendor.com/9pu true\n',
      expected: [
        '2:14-2:17 invalid-flag-value invalid device "gpu"',
        '3:14-3:28 invalid-flag-value invalid device "vendor.com/9pu": invalid class "9pu", should start with letter',
      ],
    },
    {
      name: '--device: valid names',
      text: 'FROM alpine\nRUN --device=vendor.com/gpu=0,required --device=name=nvidia.com/gpu=all,required=false true\n',
      expected: [],
    },
    {
      name: 'symbolic --chmod and variables',
      text: 'FROM alpine\nCOPY --chmod=u+x,go-w a b\nCOPY --chmod=$M a b\n',
      expected: [],
    },
  ],
  'invalid-mount': [
    {
      name: 'unknown mount type',
      text: 'FROM alpine\nRUN --mount=type=cahce,target=/c true\n',
      expected: ['2:13-2:23 invalid-mount unsupported mount type "cahce" (did you mean cache?)'],
    },
    {
      name: 'unknown key',
      text: 'FROM alpine\nRUN --mount=type=bind,traget=/x true\n',
      expected: ["2:23-2:32 invalid-mount unexpected key 'traget' in 'traget=/x' (did you mean target?)"],
    },
    {
      name: 'option not allowed for the type',
      text: 'FROM alpine\nRUN --mount=type=bind,target=/x,mode=0700 true\n',
      expected: ['2:33-2:42 invalid-mount mode not allowed for "bind" type mounts'],
    },
    { name: 'valid secret mount', text: 'FROM alpine\nRUN --mount=type=secret,id=npm,required true\n', expected: [] },
    {
      name: 'secret as a variable (env=)',
      text: 'FROM alpine\nRUN --mount=type=secret,id=npm,env=NPM_TOKEN true\n',
      expected: [],
    },
    {
      name: 'secret id or target given with a variable',
      text: 'FROM alpine\nARG N\nRUN --mount=type=secret,id=npm$N --mount=type=secret,target=$N true\n',
      expected: [],
    },
    {
      name: 'secret mount without id, source or target',
      text: 'FROM alpine\nRUN --mount=type=secret,required true\n',
      expected: ['2:25-2:33 invalid-mount invalid secret mount. one of source, target required'],
    },
  ],
  'no-build-stage': [
    {
      name: 'RUN before FROM',
      text: 'ARG V=1\nRUN true\nFROM alpine\n',
      expected: ['2:1-2:4 no-build-stage no build stage in current context'],
    },
    { name: 'only ARG before FROM', text: 'ARG V=1\nFROM alpine\n', expected: [] },
  ],
  'invalid-onbuild': [
    {
      name: 'ONBUILD ONBUILD',
      text: 'FROM alpine\nONBUILD ONBUILD RUN true\n',
      expected: ["2:9-2:16 invalid-onbuild Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
    },
    {
      name: 'ONBUILD FROM',
      text: 'FROM alpine\nONBUILD from alpine\n',
      expected: ["2:9-2:13 invalid-onbuild FROM isn't allowed as an ONBUILD trigger"],
    },
    { name: 'ONBUILD RUN', text: 'FROM alpine\nONBUILD RUN true\n', expected: [] },
  ],
  'stage-reference': [
    {
      name: 'COPY --from its own stage',
      text: 'FROM alpine AS a\nCOPY --from=a /x /y\n',
      expected: ['2:6-2:14 stage-reference circular dependency detected on stage: a'],
    },
    {
      name: 'index out of range',
      text: 'FROM alpine\nCOPY --from=3 /x /y\n',
      expected: ['2:6-2:14 stage-reference invalid stage index 3'],
    },
    {
      name: 'FROM a later stage',
      text: 'FROM build AS test\nFROM alpine AS build\n',
      expected: [
        '1:6-1:11 stage-reference stage "build" is defined after this FROM; FROM can only use an earlier stage',
      ],
    },
    {
      name: 'COPY --from a later stage is fine',
      text: 'FROM alpine AS a\nCOPY --from=b /x /y\nFROM alpine AS b\n',
      expected: [],
    },
  ],
  'unknown-stage': [
    {
      name: 'typo of a stage name',
      text: 'FROM alpine AS build\nFROM alpine\nCOPY --from=biuld /x /y\n',
      expected: [
        '3:6-3:18 unknown-stage "biuld" is not a stage of this Dockerfile and will be pulled as an image (did you mean build?)',
      ],
    },
    { name: 'an image', text: 'FROM alpine AS build\nFROM alpine\nCOPY --from=nginx:1 /x /y\n', expected: [] },
  ],
  'invalid-from': [
    {
      name: 'bad stage name',
      text: 'FROM alpine AS 1st\n',
      expected: [
        '1:16-1:19 invalid-from invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
      ],
    },
    {
      name: 'two words',
      text: 'FROM alpine build\n',
      expected: ['1:13-1:18 invalid-from FROM requires either one or three arguments'],
    },
    {
      name: 'upper-case image',
      text: 'FROM Alpine\n',
      expected: [
        '1:6-1:12 invalid-from failed to parse stage name "Alpine": invalid reference format: repository name (library/Alpine) must be lowercase',
      ],
    },
    {
      name: 'registry with port and digest',
      text: `FROM localhost:5000/a/b:1@sha256:${'a'.repeat(64)}\n`,
      expected: [],
    },
  ],
  'invalid-expose': [
    {
      name: 'not a number',
      text: 'FROM alpine\nEXPOSE 80 http\n',
      expected: ['2:11-2:15 invalid-expose invalid containerPort: http'],
    },
    {
      name: 'bad protocol',
      text: 'FROM alpine\nEXPOSE 80/tcpx\n',
      expected: ['2:8-2:15 invalid-expose invalid proto: tcpx'],
    },
    { name: 'variable from ENV', text: 'FROM alpine\nENV P=80\nEXPOSE $P 53/udp 1000-2000\n', expected: [] },
  ],
  'invalid-healthcheck': [
    {
      name: 'unknown type',
      text: 'FROM alpine\nHEALTHCHECK CONNECT tcp\n',
      expected: ['2:13-2:20 invalid-healthcheck Unknown type "CONNECT" in HEALTHCHECK (try CMD)'],
    },
    {
      name: 'bad duration',
      text: 'FROM alpine\nHEALTHCHECK --interval=5 CMD true\n',
      expected: ['2:24-2:25 invalid-healthcheck time: missing unit in duration "5"'],
    },
    {
      name: 'too short',
      text: 'FROM alpine\nHEALTHCHECK --timeout=10us CMD true\n',
      expected: ['2:23-2:27 invalid-healthcheck Interval "timeout" cannot be less than 1ms'],
    },
    {
      name: 'NONE with arguments',
      text: 'FROM alpine\nHEALTHCHECK NONE x\n',
      expected: ['2:18-2:19 invalid-healthcheck HEALTHCHECK NONE takes no arguments'],
    },
    { name: 'valid', text: 'FROM alpine\nHEALTHCHECK --interval=1m30s --retries=3 CMD ["true"]\n', expected: [] },
  ],
  'invalid-stopsignal': [
    {
      name: 'unknown name',
      text: 'FROM alpine\nSTOPSIGNAL SIGFOO\n',
      expected: ['2:12-2:18 invalid-stopsignal invalid signal: SIGFOO'],
    },
    { name: 'zero', text: 'FROM alpine\nSTOPSIGNAL 0\n', expected: ['2:12-2:13 invalid-stopsignal invalid signal: 0'] },
    {
      name: 'from ENV',
      text: 'FROM alpine\nENV S=bogus\nSTOPSIGNAL $S\n',
      expected: ['3:12-3:14 invalid-stopsignal invalid signal: bogus'],
    },
    {
      name: 'valid ones',
      text: 'FROM alpine\nSTOPSIGNAL sigterm\nSTOPSIGNAL RTMIN+3\nSTOPSIGNAL 9\nSTOPSIGNAL -1\nSTOPSIGNAL $UNDEFINED\n',
      expected: [],
    },
  ],
  'invalid-arguments': [
    {
      name: 'SHELL not JSON',
      text: 'FROM alpine\nSHELL /bin/bash -c\n',
      expected: ['2:7-2:19 invalid-arguments SHELL requires the arguments to be in JSON form'],
    },
    {
      name: 'COPY without destination',
      text: 'FROM alpine\nCOPY a\n',
      expected: [
        '2:6-2:7 invalid-arguments COPY requires at least two arguments, but only one was provided. Destination could not be determined',
      ],
    },
    { name: 'USER with two words', text: 'FROM alpine\nUSER a b\n', expected: [] },
  ],
  'no-instructions': [
    {
      name: 'comments only',
      text: '# nothing here\n',
      expected: ['1:1-1:1 no-instructions file with no instructions'],
    },
    { name: 'one instruction', text: 'FROM alpine\n', expected: [] },
  ],
};

describe('build errors', () => {
  for (const [rule, list] of Object.entries(cases)) {
    describe(rule, () => {
      for (const c of list) {
        it(c.name, () => {
          expect(findingsOf(rule, c.text)).toEqual(c.expected);
        });
      }
    });
  }
});
