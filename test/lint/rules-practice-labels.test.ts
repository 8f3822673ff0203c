// hadolint's label schema rules (DL3049 to DL3058, `labelSchema` and `strictLabels`), cases ported from hadolint's
// specs with exact messages and ranges, and the value formats on their own.
import { describe, expect, it } from 'vitest';
import type { LintOptions } from '../../lint/index.js';
import { isEmail, isGitHash, isRfc3339, isSemver, isUri } from '../../lint/rules/practice/label-formats.js';
import { isSpdxLicenseId } from '../../lint/rules/practice/spdx-ids.js';
import { findingsOf } from './helpers.js';

const schema = (labelSchema: LintOptions['labelSchema'], strictLabels = false): LintOptions => ({
  labelSchema,
  strictLabels,
});
const FOO = schema({ foo: 'text' });
const MISSING = 'Label `foo` is missing.';

const cases: Record<string, { name: string; text: string; expected: string[]; options?: LintOptions }[]> = {
  DL3049: [
    {
      name: 'single stage: no label, a wrong label; two stages without labels',
      text: 'FROM baseimage\nFROM baseimage\nLABEL bar="baz"\n',
      options: FOO,
      expected: [`1:1-1:5 DL3049 ${MISSING}`, `2:1-2:5 DL3049 ${MISSING}`],
    },
    { name: 'single stage, label present', text: 'FROM baseimage\nLABEL foo="bar"\n', options: FOO, expected: [] },
    {
      name: 'two stages, label in the first only / the second only',
      text: 'FROM baseimage\nLABEL foo="bar"\nFROM newimage\nFROM baseimage\nLABEL baz="bar"\nFROM newimage\nLABEL foo="bar"\n',
      options: FOO,
      expected: [`3:1-3:5 DL3049 ${MISSING}`, `4:1-4:5 DL3049 ${MISSING}`],
    },
    {
      name: 'inheritance, no labels',
      text: 'FROM baseimage as base\nFROM base\n',
      options: FOO,
      expected: [`1:1-1:5 DL3049 ${MISSING}`, `2:1-2:5 DL3049 ${MISSING}`],
    },
    {
      name: 'inheritance: label in the child, or in the parent',
      text: 'FROM baseimage as base\nFROM base\nLABEL foo="bar"\nFROM baseimage as b2\nLABEL foo="bar"\nFROM b2\n',
      options: FOO,
      expected: [],
    },
    {
      name: 'no inheritance, label in the last stage, which copies from the first',
      text: 'FROM baseimage as base\nFROM anotherimage\nLABEL foo="bar"\nCOPY --from=base /bar /baz\n',
      options: FOO,
      expected: [],
    },
    {
      name: 'no inheritance, label in the last stage, no connection',
      text: 'FROM baseimage as base\nFROM anotherimage\nLABEL foo="bar"\n',
      options: FOO,
      expected: [`1:1-1:5 DL3049 ${MISSING}`],
    },
    {
      name: 'multiple results, no inheritance, label in one result',
      text:
        'FROM baseimage as base\nFROM newimage\nLABEL foo="bar"\nCOPY --from=base /bar /baz\n\n' +
        'FROM newimage\nCOPY --from=base /bar /baz\n',
      options: FOO,
      expected: [`6:1-6:5 DL3049 ${MISSING}`],
    },
    {
      name: 'multiple results, inheritance, label in one result (either one)',
      text: 'FROM baseimage as base\nFROM base\nLABEL foo="bar"\n\nFROM base\n',
      options: FOO,
      expected: [`5:1-5:5 DL3049 ${MISSING}`],
    },
    {
      name: 'multiple results, inheritance, label in the last result',
      text: 'FROM baseimage as base\nFROM base\n\nFROM base\nLABEL foo="bar"\n',
      options: FOO,
      expected: [`2:1-2:5 DL3049 ${MISSING}`],
    },
    {
      name: 'a quoted key counts, an ONBUILD LABEL does not',
      text: 'FROM a:1\nLABEL "foo"=x\nFROM b:1\nONBUILD LABEL foo=y\n',
      options: FOO,
      expected: [`3:1-3:5 DL3049 ${MISSING}`],
    },
    { name: 'no schema', text: 'FROM baseimage\n', expected: [] },
  ],
  DL3050: [
    {
      name: 'other labels, alone and beside the required one, in ONBUILD',
      text: 'FROM a:1\nLABEL other="bar"\nLABEL required="foo" other="bar"\nONBUILD LABEL x=1\n',
      options: schema({ required: 'text' }, true),
      expected: [
        '2:7-2:12 DL3050 Superfluous label(s) present.',
        '3:22-3:27 DL3050 Superfluous label(s) present.',
        '4:15-4:16 DL3050 Superfluous label(s) present.',
      ],
    },
    {
      name: 'strict without a schema: every label',
      text: 'FROM a:1\nLABEL a=1\n',
      options: { strictLabels: true },
      expected: ['2:7-2:8 DL3050 Superfluous label(s) present.'],
    },
    {
      name: 'required label only; not strict',
      text: 'FROM a:1\nLABEL required="foo"\n',
      options: schema({ required: 'text' }, true),
      expected: [],
    },
    { name: 'not strict', text: 'FROM a:1\nLABEL other=1\n', options: schema({ required: 'text' }), expected: [] },
  ],
  DL3051: [
    {
      name: 'empty label (ONBUILD too)',
      text: 'FROM a:1\nLABEL emptylabel=""\nONBUILD LABEL emptylabel=\n',
      options: schema({ emptylabel: 'text' }),
      expected: ['2:7-2:20 DL3051 label `emptylabel` is empty.', '3:15-3:26 DL3051 label `emptylabel` is empty.'],
    },
    {
      name: 'not empty; another label empty',
      text: 'FROM a:1\nLABEL emptylabel="foo" other=""\n',
      options: schema({ emptylabel: 'text' }),
      expected: [],
    },
  ],
  DL3052: [
    {
      name: 'not a URL',
      text: 'FROM a:1\nLABEL urllabel="not-url"\n',
      options: schema({ urllabel: 'url' }),
      expected: ['2:16-2:25 DL3052 Label `urllabel` is not a valid URL.'],
    },
    {
      name: 'a URL; another label',
      text: 'FROM a:1\nLABEL urllabel="http://example.com" other="foo"\n',
      options: schema({ urllabel: 'url' }),
      expected: [],
    },
  ],
  DL3053: [
    {
      name: 'not a date, a variable (not expanded, as hadolint)',
      text: 'FROM a:1\nARG D=2021-03-10T10:26:33Z\nLABEL datelabel="not-date"\nLABEL datelabel=$D\n',
      options: schema({ datelabel: 'rfc3339' }),
      expected: [
        '3:17-3:27 DL3053 Label `datelabel` is not a valid time format - must conform to RFC3339.',
        '4:17-4:19 DL3053 Label `datelabel` is not a valid time format - must conform to RFC3339.',
      ],
    },
    {
      name: 'an RFC 3339 date; another label',
      text: 'FROM a:1\nLABEL datelabel="2021-03-10T10:26:33.564595127+01:00" other="doo"\n',
      options: schema({ datelabel: 'rfc3339' }),
      expected: [],
    },
  ],
  DL3054: [
    {
      name: 'not an SPDX id',
      text: 'FROM a:1\nLABEL spdxlabel="not-spdx"\n',
      options: schema({ spdxlabel: 'spdx' }),
      expected: ['2:17-2:27 DL3054 Label `spdxlabel` is not a valid SPDX identifier.'],
    },
    {
      name: 'SPDX ids; another label',
      text: 'FROM a:1\nLABEL spdxlabel="BSD-3-Clause"\nLABEL spdxlabel=MIT other=fooo\n',
      options: schema({ spdxlabel: 'spdx' }),
      expected: [],
    },
  ],
  DL3055: [
    {
      name: 'not a git hash',
      text: 'FROM a:1\nLABEL githash="not-git-hash"\n',
      options: schema({ githash: 'hash' }),
      expected: ['2:15-2:29 DL3055 Label `githash` is not a valid git hash.'],
    },
    {
      name: 'short and long hashes; another label',
      text: 'FROM a:1\nLABEL githash="2dbfae9"\nLABEL githash=43c572f1272b6b3171dd1db9e41b7027128ce080 other=foo\n',
      options: schema({ githash: 'hash' }),
      expected: [],
    },
  ],
  DL3056: [
    {
      name: 'not a semantic version',
      text: 'FROM a:1\nLABEL semver="not-sem-ver"\n',
      options: schema({ semver: 'semver' }),
      expected: ['2:14-2:27 DL3056 Label `semver` does not conform to semantic versioning.'],
    },
    {
      name: 'semantic versions; another label',
      text: 'FROM a:1\nLABEL semver="1.0.0"\nLABEL semver="2.0.1-rc1" other=foo\n',
      options: schema({ semver: 'semver' }),
      expected: [],
    },
  ],
  DL3058: [
    {
      name: 'not an email address',
      text: 'FROM a:1\nLABEL maintainer="not-email"\n',
      options: schema({ maintainer: 'email' }),
      expected: ['2:18-2:29 DL3058 Label `maintainer` is not a valid email format - must conform to RFC5322.'],
    },
    {
      name: 'an email address; another label',
      text: 'FROM a:1\nLABEL maintainer="abcd@google.com" other="doo"\n',
      options: schema({ maintainer: 'email' }),
      expected: [],
    },
  ],
};

describe('label schema rules', () => {
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

describe('label value formats', () => {
  it('URL: absolute URIs only', () => {
    const good = ['http://example.com', 'https://u@h.example:8080/p/a?q=1#f', 'urn:isbn:0451450523', 'http://[::1]/'];
    const bad = ['not-url', '/relative/path', 'http://exa mple.com', 'http://h/%zz', 'a#b#c', ''];
    expect(good.filter((u) => !isUri(u))).toEqual([]);
    expect(bad.filter((u) => isUri(u))).toEqual([]);
  });

  it('RFC 3339: date-time with offset, fields in range', () => {
    expect(['2021-03-10T10:26:33Z', '2020-02-29T23:59:60.5-05:30'].every(isRfc3339)).toBe(true);
    const bad = [
      '2021-03-10',
      '2021-03-10 10:26:33Z',
      '2021-13-01T00:00:00Z',
      '2021-02-29T00:00:00Z',
      '2021-03-10T10:26:33',
    ];
    expect(bad.filter(isRfc3339)).toEqual([]);
  });

  it('semantic versions as semver.org defines them', () => {
    expect(['0.0.0', '1.2.3-alpha.1+build.5', '10.20.30-0a'].every(isSemver)).toBe(true);
    expect(['1.2', 'v1.2.3', '01.2.3', '1.2.3-01', '1.2.3-', '1.2.3+'].filter(isSemver)).toEqual([]);
  });

  it('git hashes, SPDX ids and email addresses', () => {
    expect([isGitHash('2dbfae9'), isGitHash('2DBFAE9'), isGitHash('2dbfae91')]).toEqual([true, false, false]);
    expect(['MIT', 'Apache-2.0', 'GPL-2.0'].every(isSpdxLicenseId)).toBe(true);
    expect(['mit', 'MIT OR Apache-2.0', ''].filter(isSpdxLicenseId)).toEqual([]);
    expect(['a.b+c@example.com', '"a b"@example.com', 'x@[127.0.0.1]'].every(isEmail)).toBe(true);
    expect(['not-email', 'a@', '@b.c', 'a..b@c.d', 'a@-b.c'].filter(isEmail)).toEqual([]);
  });
});
