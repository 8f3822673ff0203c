// Platforms as `os/arch[/variant]` strings, the host default, and the predefined platform args.

import { formatPlatform, hostPlatform as imageHostPlatform } from '../image/index.js';
import type { Platform } from './image-config.js';

/** The build platform: Linux (builds run Linux containers) on this machine's architecture. */
export function hostPlatform(): Platform {
  const { architecture } = imageHostPlatform();
  return architecture === 'arm' ? { os: 'linux', architecture, variant: 'v7' } : { os: 'linux', architecture };
}

/** `os/arch[/variant]`: the image module's spelling, the one registries and manifests use. */
export { formatPlatform };

/** Parses `linux/amd64`, `linux/arm64/v8` or a bare `linux` (the host architecture). Null when malformed. */
export function parsePlatform(text: string): Platform | null {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.some((p) => p === '') || parts.length > 3) return null;
  const [os, architecture, variant] = parts;
  if (architecture === undefined) return { os, architecture: hostPlatform().architecture };
  const normal = normaliseArch(architecture, variant);
  return normal.variant ? { os, ...normal } : { os, architecture: normal.architecture };
}

// Mirrors containerd's normalisation for the common aliases.
function normaliseArch(arch: string, variant: string | undefined): { architecture: string; variant?: string } {
  switch (arch) {
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return { architecture: 'amd64', variant: variant === 'v1' ? undefined : variant };
    case 'aarch64':
    case 'arm64':
      return { architecture: 'arm64', variant: variant === 'v8' ? undefined : variant };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'arm':
      return { architecture: 'arm', variant: variant ?? 'v7' };
    case 'i386':
      return { architecture: '386', variant };
    default:
      return { architecture: arch, variant };
  }
}

/** BuildKit's predefined args (`defaultArgs`), in its order; `--build-arg` may override them. */
export function predefinedArgs(build: Platform, target: Platform, targetStage: string): [string, string][] {
  return [
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDOSVERSION', ''],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETOSVERSION', ''],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['TARGETSTAGE', targetStage],
  ];
}
