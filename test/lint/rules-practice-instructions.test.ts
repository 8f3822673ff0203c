// hadolint's rules over single instructions and their repetition in a stage (DL1001, DL3012, DL3021, DL3066,
// DL3067, DL4004), cases ported from hadolint's specs, with exact messages and ranges.
import { describe, expect, it } from 'vitest';
import type { LintOptions } from '../../lint/index.js';
import { findingsOf } from './helpers.js';

const DL1001 = 'Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`.';
const DL3012 = 'Multiple `HEALTHCHECK` instructions';
const DL3021 = 'COPY with more than 2 arguments requires the last argument to end with /';
const DL3066 = 'Non-numeric user-id may not be resolvable by host system';
const DL3067 = 'Do not copy an entire filesystem from another stage';
const DL4004 =
  'Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect';

const cases: Record<string, { name: string; text: string; expected: string[]; options?: LintOptions }[]> = {
  DL1001: [
    {
      name: 'hadolint and tsbuild inline ignores, when enabled',
      text: '# hadolint ignore=DL3003\nFROM alpine:3\n# tsbuild-ignore=DL3059 two steps\nRUN a\n',
      options: { rules: { DL1001: 'on' } },
      expected: [`1:1-1:25 DL1001 ${DL1001}`, `3:1-3:34 DL1001 ${DL1001}`],
    },
    {
      name: 'other pragmas and comments',
      text: '# hadolint shell=powershell\n# hadolint global ignore=DL3006\n# foobar\nFROM alpine:3\n',
      options: { rules: { DL1001: 'on' } },
      expected: [],
    },
    { name: 'off by default', text: '# hadolint ignore=DL3003\nFROM alpine:3\n', expected: [] },
  ],
  DL3012: [
    {
      name: 'two in one stage',
      text: 'FROM scratch\nHEALTHCHECK CMD /bin/bla1\nHEALTHCHECK CMD /bin/bla2\n',
      expected: [`3:1-3:12 DL3012 ${DL3012}`],
    },
    {
      name: 'none, one, one per stage',
      text: 'FROM scratch\nFROM scratch\nHEALTHCHECK CMD /bin/bla1\nFROM scratch\nHEALTHCHECK CMD /bin/bla2\n',
      expected: [],
    },
  ],
  DL3021: [
    {
      name: 'three arguments, the last without a slash (quoted too)',
      text: 'FROM alpine:3\nWORKDIR /app\nCOPY foo bar baz\nCOPY foo bar "baz"\n',
      expected: [`3:14-3:17 DL3021 ${DL3021}`, `4:14-4:19 DL3021 ${DL3021}`],
    },
    {
      name: 'two arguments, a slash (quoted, from ENV), an unresolved variable, ADD, the workdir (., x/.)',
      text:
        'FROM alpine:3\nWORKDIR /app\nENV D=/d/\nCOPY foo bar\nCOPY foo bar baz/\nCOPY foo bar "baz/"\n' +
        'COPY a b $D\nCOPY a b $UNSET\nADD a b c\nCOPY a b .\nCOPY a b sub/.\n',
      expected: [],
    },
    {
      name: 'a Windows directory',
      text: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY a b C:\\dir\\\n',
      expected: [],
    },
  ],
  DL3066: [
    {
      name: 'non-numeric user, with and without a group',
      text: 'FROM alpine:3\nUSER foobar\nUSER foobar:barfoo\n',
      expected: [`2:6-2:12 DL3066 ${DL3066}`, `3:6-3:12 DL3066 ${DL3066}`],
    },
    {
      name: 'numeric user, with a group, from a variable',
      text: 'FROM alpine:3\nARG UID=1000\nUSER 12345\nUSER 1234:5678\nUSER 1000:app\nUSER $UID\n',
      expected: [],
    },
  ],
  DL3067: [
    {
      name: 'root of another stage to root (quoted too)',
      text: 'FROM alpine:3 AS build\nFROM scratch\nCOPY --from=build / /\nCOPY --from=build "/" "/"\n',
      expected: [`3:19-3:20 DL3067 ${DL3067}`, `4:19-4:22 DL3067 ${DL3067}`],
    },
    {
      name: 'without --from, a directory, into a subdirectory',
      text: 'FROM alpine:3 AS build\nFROM scratch\nCOPY / /\nCOPY --from=build /app /\nCOPY --from=build / /app\n',
      expected: [],
    },
  ],
  DL4004: [
    {
      name: 'many entrypoints',
      text: 'FROM debian:12\nENTRYPOINT bash\nRUN foo\nENTRYPOINT another\n',
      expected: [`4:1-4:11 DL4004 ${DL4004}`],
    },
    {
      name: 'many entrypoints, different stages',
      text: 'FROM debian:12 AS distro1\nENTRYPOINT bash\nRUN foo\nENTRYPOINT another\nFROM debian:12 AS distro2\nENTRYPOINT another\n',
      expected: [`4:1-4:11 DL4004 ${DL4004}`],
    },
    {
      name: 'one per stage, none',
      text: 'FROM debian:12 AS distro1\nENTRYPOINT bash\nRUN foo\nFROM debian:12 AS distro2\nENTRYPOINT another\nFROM busybox:1\n',
      expected: [],
    },
  ],
};

describe('best-practice rules over instructions', () => {
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
