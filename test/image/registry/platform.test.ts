import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../image/oci-types.js';
import {
  bestPlatformManifest,
  formatPlatform,
  normalizePlatform,
  parsePlatform,
  platformRank,
} from '../../../image/registry/index.js';

describe('parsePlatform / normalizePlatform (containerd semantics)', () => {
  it.each([
    ['linux/amd64', 'linux/amd64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm64/8', 'linux/arm64'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/arm/6', 'linux/arm/v6'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/i386', 'linux/386'],
    ['Linux/AMD64', 'linux/amd64'],
    ['arm64', 'linux/arm64'],
    ['s390x', 'linux/s390x'],
  ])('%s → %s', (input, expected) => {
    expect(formatPlatform(parsePlatform(input))).toBe(expected);
  });

  it('rejects malformed specifiers', () => {
    expect(() => parsePlatform('linux/amd64/v2/x')).toThrow('invalid platform "linux/amd64/v2/x"');
    expect(() => parsePlatform('linux//amd64')).toThrow('invalid platform "linux//amd64"');
    expect(() => parsePlatform('plan10')).toThrow(
      'invalid platform "plan10": unknown operating system or architecture',
    );
  });

  it('normalises image platforms the same way', () => {
    expect(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
    });
  });
});

describe('platformRank (containerd platforms.Only)', () => {
  const p = parsePlatform;
  it.each([
    ['linux/amd64', 'linux/amd64', 0],
    ['linux/amd64', 'linux/386', 1],
    ['linux/amd64', 'linux/arm64', -1],
    ['linux/amd64/v3', 'linux/amd64/v2', 1],
    ['linux/amd64/v3', 'linux/amd64', 2],
    ['linux/amd64/v3', 'linux/386', 3],
    ['linux/amd64', 'linux/amd64/v2', -1],
    ['linux/arm/v7', 'linux/arm/v6', 1],
    ['linux/arm/v7', 'linux/arm/v5', 2],
    ['linux/arm/v6', 'linux/arm/v7', -1],
    ['linux/arm64', 'linux/arm64/v8', 0],
    ['linux/arm64', 'linux/arm/v8', 1],
    ['linux/arm64', 'linux/arm/v7', 2],
    ['linux/arm64/v8.2', 'linux/arm64/v8.1', 1],
    ['linux/arm64/v8.2', 'linux/arm64', 2],
    ['linux/arm64/v9.1', 'linux/arm64/v9', 1],
    ['linux/arm64/v9.1', 'linux/arm64/v8.6', 2],
    ['linux/amd64', 'windows/amd64', -1],
  ])('%s runs %s at rank %i', (wanted, image, rank) => {
    expect(platformRank(p(wanted), { ...p(image) })).toBe(rank);
  });

  it('picks the best manifest of an index, keeping index order on ties', () => {
    const d = (n: number, platform?: Descriptor['platform']): Descriptor => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${String(n).repeat(64)}`,
      size: 1,
      ...(platform ? { platform } : {}),
    });
    const manifests = [
      d(1, { os: 'unknown', architecture: 'unknown' }),
      d(2, { os: 'linux', architecture: 'arm', variant: 'v6' }),
      d(3, { os: 'linux', architecture: 'arm', variant: 'v7' }),
      d(4, { os: 'linux', architecture: '386' }),
      d(5, { os: 'linux', architecture: 'amd64' }),
      d(6, { os: 'linux', architecture: 'amd64' }),
      d(7),
    ];
    expect(bestPlatformManifest(manifests, p('linux/amd64'))?.digest).toBe(manifests[4]!.digest);
    expect(bestPlatformManifest(manifests, p('linux/arm64'))?.digest).toBe(manifests[2]!.digest);
    expect(bestPlatformManifest(manifests, p('linux/arm/v6'))?.digest).toBe(manifests[1]!.digest);
    expect(bestPlatformManifest(manifests.slice(0, 4), p('linux/amd64'))?.digest).toBe(manifests[3]!.digest);
    expect(bestPlatformManifest(manifests, p('linux/riscv64'))).toBeUndefined();
  });
});
