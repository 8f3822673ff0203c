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

/**
 * Whether an image config's os/architecture is `wanted`: a variant counts only when both name one (an image
 * without a variant serves any). Configs without an architecture (some imports) match every platform.
 */
export function platformMatches(
  config: { readonly os?: string; readonly architecture?: string; readonly variant?: string },
  wanted: Platform,
): boolean {
  if (config.architecture === undefined || config.architecture === '') return true;
  if ((config.os ?? 'linux') !== wanted.os || config.architecture !== wanted.architecture) return false;
  return config.variant === undefined || wanted.variant === undefined || config.variant === wanted.variant;
}

/** The platform an image config names, as an index entry carries it (os, architecture, and a variant if any). */
export function configPlatform(config: {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}): Platform {
  const { os, architecture, variant } = config;
  return variant ? { architecture, os, variant } : { architecture, os };
}
