import type { Descriptor, Platform } from '../oci-types.js';
import { RegistryError } from './errors.js';

// Platform parsing, normalisation and matching with the semantics of containerd's `platforms` package
// (Parse, Normalize, Only): `linux/arm64` also runs arm/v8…v5 images, `amd64` also runs 386, and so on.

const knownOS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
]);
const knownArch = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'ppc64',
  'ppc64le',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);
const specifierPart = /^[A-Za-z0-9_-]+$/;

function normalizeArch(arch: string, variant: string): [string, string] {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8') v = '';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return [a, v];
}

function makePlatform(os: string, architecture: string, variant: string): Platform {
  return variant === '' ? { os, architecture } : { os, architecture, variant };
}

/** containerd's `Normalize`: canonical OS, architecture and variant spellings. */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os === '' ? 'linux' : p.os.toLowerCase() === 'macos' ? 'darwin' : p.os.toLowerCase();
  const [arch, variant] = normalizeArch(p.architecture, p.variant ?? '');
  return makePlatform(os, arch, variant);
}

/** The platform of this machine, in OCI spelling. */
export function defaultPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
  return normalizePlatform({ os: 'linux', architecture: arch[process.arch] ?? process.arch });
}

/** Parses `os`, `arch` or `os/arch[/variant]` as `docker --platform` does. */
export function parsePlatform(specifier: string): Platform {
  const parts = specifier.split('/');
  const invalid = () => new RegistryError('EREG_INVALID', `invalid platform "${specifier}"`);
  // Dots only in the variant: arm64 has `v8.2`-style variants.
  if (parts.length > 3 || parts.some((p, i) => !specifierPart.test(i === 2 ? p.replaceAll('.', '_') : p))) {
    throw invalid();
  }
  if (parts.length === 1) {
    const one = parts[0]!.toLowerCase();
    if (knownOS.has(one === 'macos' ? 'darwin' : one)) {
      return normalizePlatform({ ...defaultPlatform(), os: one });
    }
    const [arch, variant] = normalizeArch(one, '');
    if (knownArch.has(arch)) return makePlatform('linux', arch, variant);
    throw new RegistryError(
      'EREG_INVALID',
      `invalid platform "${specifier}": unknown operating system or architecture`,
    );
  }
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2] ?? '' });
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** containerd's `platformVector`: the platforms a machine of `p` can run, best first. */
function platformVector(p: Platform): Platform[] {
  const vector: Platform[] = [p];
  const version = (v: string | undefined) => Number.parseInt((v ?? '').replace(/^v/, ''), 10);
  if (p.architecture === 'amd64') {
    const level = version(p.variant);
    for (let l = level - 1; l >= 1 && Number.isFinite(level); l--) vector.push(makePlatform(p.os, 'amd64', `v${l}`));
    vector.push(makePlatform(p.os, '386', ''));
  } else if (p.architecture === 'arm') {
    const level = version(p.variant);
    for (let l = level - 1; l >= 5 && Number.isFinite(level); l--) vector.push(makePlatform(p.os, 'arm', `v${l}`));
  } else if (p.architecture === 'arm64') {
    const variant = p.variant || 'v8';
    const [majorText, minorText] = variant.split('.');
    let major = version(majorText);
    let minor = minorText === undefined ? 0 : Number.parseInt(minorText, 10) || 0;
    const arm64 = (maj: number, min: number) => makePlatform(p.os, 'arm64', min === 0 ? `v${maj}` : `v${maj}.${min}`);
    if (major === 9) {
      for (let m = minor - 1; m >= 0; m--) vector.push(arm64(9, m));
      // v9.x diverged from v8.(x+5)
      minor += 5;
      major = 8;
      vector.push(arm64(8, minor));
    }
    if (major === 8) for (let m = minor - 1; m >= 0; m--) vector.push(arm64(8, m));
    vector.push(...platformVector(makePlatform(p.os, 'arm', 'v8')));
  }
  return vector;
}

function samePlatform(a: Platform, b: Platform): boolean {
  const na = normalizePlatform(a);
  const nb = normalizePlatform(b);
  return na.os === nb.os && na.architecture === nb.architecture && (na.variant ?? '') === (nb.variant ?? '');
}

/**
 * How well an image platform suits `wanted` (containerd's `platforms.Only`): 0 is an exact match, higher is a
 * compatible fallback, -1 means the image cannot run there.
 */
export function platformRank(wanted: Platform, candidate: Platform): number {
  return platformVector(normalizePlatform(wanted)).findIndex((p) => samePlatform(p, candidate));
}

/** Picks the best manifest of an index for `wanted`; ties keep the index's order, as containerd does. */
export function bestPlatformManifest(manifests: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  let best: Descriptor | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const d of manifests) {
    if (d.platform === undefined) continue;
    const rank = platformRank(wanted, d.platform);
    if (rank >= 0 && rank < bestRank) {
      best = d;
      bestRank = rank;
    }
  }
  return best;
}
