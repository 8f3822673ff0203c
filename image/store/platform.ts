import type { Descriptor, Platform } from '../oci-types.js';

const archByNode: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/** The platform of this machine, in OCI terms (`linux/amd64`). */
export function hostPlatform(): Platform {
  return {
    os: process.platform === 'win32' ? 'windows' : process.platform,
    architecture: archByNode[process.arch] ?? process.arch,
  };
}

/** Picks the manifest of an index for `platform` (variant compared only when both sides give one). */
export function selectPlatformManifest(manifests: readonly Descriptor[], platform: Platform): Descriptor | undefined {
  const candidates = manifests.filter(
    (m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture,
  );
  return (
    candidates.find((m) => platform.variant === undefined || m.platform?.variant === platform.variant) ??
    candidates.find((m) => m.platform?.variant === undefined) ??
    candidates[0]
  );
}
