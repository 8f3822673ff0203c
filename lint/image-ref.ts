// Docker image references (the grammar of distribution/reference) and OCI platform strings, enough to tell
// valid from invalid and to split a reference into registry, path, tag and digest.

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

export interface ImageReference {
  /** Registry host as written, or `docker.io` when none is written. */
  readonly domain: string;
  /** Repository path without the registry (`library/` not added). */
  readonly path: string;
  readonly tag: string | null;
  readonly digest: string | null;
}

/** Parses a reference as `docker pull` accepts it; null when invalid (uppercase path, empty tag …). */
export function parseImageReference(text: string): ImageReference | null {
  const match = REFERENCE.exec(text);
  if (!match) return null;
  const name = match[1];
  if (name.length > 255 || /^[a-f0-9]{64}$/.test(name)) return null;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  return {
    domain: hasDomain ? first : 'docker.io',
    path: hasDomain ? name.slice(slash + 1) : name,
    tag: match[2] ?? null,
    digest: match[3] ?? null,
  };
}

/**
 * The repository path distribution's ParseNormalizedNamed judges for case (splitDockerDomain): the name without its
 * registry (a first component with a dot, a colon or an upper-case letter, or `localhost`), `library/` added to a
 * one-component Docker Hub name, and no tag or digest. `Alpine:3` gives `library/Alpine`.
 */
export function normalizedRepository(text: string): string {
  const name = text.split('@')[0];
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isDomain = first !== '' && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  const remainder = isDomain ? name.slice(slash + 1) : name;
  const hub = !isDomain || first === 'docker.io' || first === 'index.docker.io';
  const withLibrary = hub && !remainder.includes('/') ? `library/${remainder}` : remainder;
  const colon = withLibrary.indexOf(':');
  return colon < 0 ? withLibrary : withLibrary.slice(0, colon);
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | null;
}

const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'illumos',
  'ios',
  'js',
  'linux',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
]);
const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
};
const KNOWN_ARCH = new Set([
  '386',
  'amd64',
  'arm',
  'arm64',
  'loong64',
  'mips',
  'mips64',
  'mips64le',
  'mipsle',
  'ppc64',
  'ppc64le',
  'riscv64',
  's390x',
  'wasm',
  ...Object.keys(ARCH_ALIASES),
]);

/** containerd's `platforms.Parse`, without the host defaults beyond `linux`. */
export function parsePlatform(text: string): Platform | null {
  const parts = text.split('/');
  if (parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) return null;
  const arch = (a: string): string => ARCH_ALIASES[a.toLowerCase()] ?? a.toLowerCase();
  if (parts.length === 1) {
    const only = parts[0].toLowerCase();
    if (KNOWN_OS.has(only)) return { os: only, architecture: 'amd64', variant: null };
    if (KNOWN_ARCH.has(only)) return { os: 'linux', architecture: arch(only), variant: null };
    return null;
  }
  return { os: parts[0].toLowerCase(), architecture: arch(parts[1]), variant: parts[2] ?? null };
}
