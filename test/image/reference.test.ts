import { describe, expect, it } from 'vitest';
import {
  familiarName,
  familiarString,
  normalizeReference,
  parseDockerRef,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  withTag,
} from '../../image/index.js';

const hex = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

// Tables from distribution/reference normalize_test.go.
const validNames = [
  'docker/docker',
  'library/debian',
  'debian',
  'docker.io/docker/docker',
  'docker.io/library/debian',
  'docker.io/debian',
  'index.docker.io/docker/docker',
  'index.docker.io/library/debian',
  'index.docker.io/debian',
  '127.0.0.1:5000/docker/docker',
  '127.0.0.1:5000/library/debian',
  '127.0.0.1:5000/debian',
  '192.168.0.1',
  '192.168.0.1:80',
  '192.168.0.1:8/debian',
  '192.168.0.2:25000/debian',
  'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
  '[fc00::1]:5000/docker',
  '[fc00::1]:5000/docker/docker',
  '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
  'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'Docker/docker',
  'DOCKER/docker',
  'docker-rules/docker',
  'docker---rules/docker',
  'd/docker',
  'dock__er/docker',
];
const invalidNames = [
  'https://github.com/docker/docker',
  'docker/Docker',
  '-docker',
  '-docker/docker',
  '-docker.io/docker/docker',
  'docker///docker',
  'docker.io/docker/Docker',
  'docker.io/docker///docker',
  '[fc00::1]',
  '[fc00::1]:5000',
  'fc00::1:5000/debian',
  '[fe80::1%eth0]:5000/debian',
  '[2001:db8:3:4::192.0.2.33]:5000/debian',
  '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'docker-/docker',
  '____/____',
  '_docker/_docker',
  'dock..er/docker',
  'dock_.er/docker',
  'dock-.er/docker',
  'docker/',
  `${'a'.repeat(250)}/docker`,
];

describe('parseNormalizedNamed', () => {
  it.each(validNames)('accepts %s', (name) => {
    expect(() => parseNormalizedNamed(name)).not.toThrow();
  });
  it.each(invalidNames)('rejects %s', (name) => {
    expect(() => parseNormalizedNamed(name)).toThrow();
  });

  it.each([
    ['fooo/bar', 'docker.io/fooo/bar', 'fooo/bar', 'docker.io', 'fooo/bar'],
    ['index.docker.io/fooo/bar', 'docker.io/fooo/bar', 'fooo/bar', 'docker.io', 'fooo/bar'],
    ['ubuntu', 'docker.io/library/ubuntu', 'ubuntu', 'docker.io', 'library/ubuntu'],
    ['library/ubuntu', 'docker.io/library/ubuntu', 'ubuntu', 'docker.io', 'library/ubuntu'],
    ['docker.io/foo', 'docker.io/library/foo', 'foo', 'docker.io', 'library/foo'],
    ['other/library', 'docker.io/other/library', 'other/library', 'docker.io', 'other/library'],
    [
      '127.0.0.1:8000/privatebase',
      '127.0.0.1:8000/privatebase',
      '127.0.0.1:8000/privatebase',
      '127.0.0.1:8000',
      'privatebase',
    ],
    [
      'example.com:8000/private/moonbase',
      'example.com:8000/private/moonbase',
      'example.com:8000/private/moonbase',
      'example.com:8000',
      'private/moonbase',
    ],
    ['library/foo/bar', 'docker.io/library/foo/bar', 'library/foo/bar', 'docker.io', 'library/foo/bar'],
    ['Foo/bar', 'Foo/bar', 'Foo/bar', 'Foo', 'bar'],
    ['localhost/x', 'localhost/x', 'localhost/x', 'localhost', 'x'],
    ['localhost:5000/x', 'localhost:5000/x', 'localhost:5000/x', 'localhost:5000', 'x'],
    ['test_com/foo', 'docker.io/test_com/foo', 'test_com/foo', 'docker.io', 'test_com/foo'],
    ['test-com:8080/foo', 'test-com:8080/foo', 'test-com:8080/foo', 'test-com:8080', 'foo'],
  ])('%s → %s (familiar %s)', (input, full, familiar, domain, path) => {
    const ref = parseNormalizedNamed(input);
    expect(referenceString(ref)).toBe(full);
    expect(familiarName(ref)).toBe(familiar);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
  });

  it('keeps tag and digest together', () => {
    const short = `busybox:latest@sha256:${hex}`;
    const ref = parseNormalizedNamed(short);
    expect(referenceString(ref)).toBe(`docker.io/library/${short}`);
    expect(familiarString(ref)).toBe(short);
  });
});

describe('error messages (as Docker prints them)', () => {
  it.each([
    ['', 'invalid reference format'],
    ['docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['Alpine', 'invalid reference format: repository name (library/Alpine) must be lowercase'],
    ['alpine:Latest!', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    [hex, `invalid repository name (${hex}), cannot specify 64-byte hexadecimal strings`],
    [`${'a'.repeat(250)}/docker`, 'repository name must not be more than 255 characters'],
    ['alpine@sha256:abc', 'invalid reference format'],
    [`alpine@sha256:${hex}ab`, 'invalid checksum digest length'],
    [`alpine@md5:${hex}`, 'unsupported digest algorithm'],
    [`alpine@sha256:${hex.toUpperCase()}`, 'invalid checksum digest format'],
  ])('%j → %s', (input, message) => {
    expect(() => parseNormalizedNamed(input)).toThrow(message);
    try {
      parseNormalizedNamed(input);
    } catch (error) {
      expect((error as Error).message).toBe(message);
    }
  });

  it('Parse reports an empty name', () => {
    expect(() => parseReference('')).toThrow('repository name must have at least one component');
  });
  it('Parse reports upper case in a domain-less name', () => {
    expect(() => parseReference('Foo/Bar')).toThrow('repository name must be lowercase');
  });
  it('rejects an invalid tag', () => {
    expect(() => withTag(parseNormalizedNamed('busybox'), '-foo')).toThrow('invalid tag format');
  });
});

describe('parseDockerRef / normalizeReference', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest', 'alpine:latest'],
    ['alpine:3.19', 'docker.io/library/alpine:3.19', 'alpine:3.19'],
    ['localhost:5000/x', 'localhost:5000/x:latest', 'localhost:5000/x:latest'],
    ['host:5000/a/b:tag', 'host:5000/a/b:tag', 'host:5000/a/b:tag'],
    ['[::1]:5000/a:v1', '[::1]:5000/a:v1', '[::1]:5000/a:v1'],
    [`alpine@sha256:${hex}`, `docker.io/library/alpine@sha256:${hex}`, `alpine@sha256:${hex}`],
    [`alpine:3@sha256:${hex}`, `docker.io/library/alpine@sha256:${hex}`, `alpine@sha256:${hex}`],
    ['index.docker.io/user/app:1', 'docker.io/user/app:1', 'user/app:1'],
  ])('%s → %s', (input, normalized, familiar) => {
    expect(normalizeReference(input)).toBe(normalized);
    expect(familiarString(parseDockerRef(input))).toBe(familiar);
  });
});
