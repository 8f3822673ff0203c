import { type Digest, parseDigest } from './digest.js';

/**
 * Image references with the exact grammar and normalisation of `github.com/distribution/reference`
 * (regexp.go, reference.go, normalize.go), which Docker, BuildKit and containerd share.
 */
export interface ImageReference {
  /** Registry host (with port), e.g. `docker.io`, `localhost:5000`; empty only for un-normalised input. */
  readonly domain: string;
  /** Repository path below the domain, e.g. `library/alpine`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

/** A reference that failed to parse; `message` is the one Docker prints. */
export class InvalidReferenceError extends Error {
  readonly code = 'EINVALIDREF';
}

const defaultDomain = 'docker.io';
const legacyDefaultDomain = 'index.docker.io';
const officialRepoPrefix = 'library/';
const defaultTag = 'latest';
export const repositoryNameTotalLengthMax = 255;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredTagRegexp = new RegExp(`^${tagPat}$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;

function wrapDigest(value: string): Digest {
  try {
    return parseDigest(value);
  } catch (error) {
    throw new InvalidReferenceError((error as Error).message);
  }
}

/** `reference.Parse`: syntax only, no normalisation (so `alpine` has an empty domain). */
export function parseReference(input: string): ImageReference {
  if (input === '') throw new InvalidReferenceError('repository name must have at least one component');
  const match = referenceRegexp.exec(input);
  if (match === null) {
    const lower = input.toLowerCase();
    if (lower !== input && referenceRegexp.test(lower)) {
      throw new InvalidReferenceError('repository name must be lowercase');
    }
    throw new InvalidReferenceError('invalid reference format');
  }
  const name = match[1]!;
  const nameMatch = anchoredNameRegexp.exec(name);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch ? nameMatch[2]! : name;
  if (path.length > repositoryNameTotalLengthMax) {
    throw new InvalidReferenceError(`repository name must not be more than ${repositoryNameTotalLengthMax} characters`);
  }
  const tag = match[2];
  const digest = match[3] === undefined ? undefined : wrapDigest(match[3]);
  return { domain, path, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `splitDockerDomain`: decides whether the first path element is a registry host. */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [defaultDomain, officialRepoPrefix + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === 'localhost' || /[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    [domain, remainder] = [maybeDomain, maybeRemote];
  } else if (maybeDomain === legacyDefaultDomain) {
    [domain, remainder] = [defaultDomain, maybeRemote];
  } else {
    [domain, remainder] = [defaultDomain, name];
  }
  if (domain === legacyDefaultDomain) domain = defaultDomain;
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialRepoPrefix + remainder;
  return [domain, remainder];
}

/** `reference.ParseNormalizedNamed`: `alpine` → `docker.io/library/alpine` (no tag added). */
export function parseNormalizedNamed(input: string): ImageReference {
  if (anchoredIdentifierRegexp.test(input)) {
    throw new InvalidReferenceError(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon > -1 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseReference(`${domain}/${remainder}`);
}

/**
 * `reference.ParseDockerRef`: normalised, `:latest` added to a bare name, and the tag dropped when a digest
 * is present (the digest is what gets pulled). This is the form the store keys images by.
 */
export function parseDockerRef(input: string): ImageReference {
  const named = parseNormalizedNamed(input);
  if (named.digest !== undefined) return { domain: named.domain, path: named.path, digest: named.digest };
  if (named.tag === undefined) return { ...named, tag: defaultTag };
  return named;
}

/** Full normalised string of a reference, e.g. `docker.io/library/alpine:latest`. */
export function normalizeReference(input: string): string {
  return referenceString(parseDockerRef(input));
}

/** `domain/path`. */
export function referenceName(ref: ImageReference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

/** `name[:tag][@digest]`, as `reference.String()` prints it. */
export function referenceString(ref: ImageReference): string {
  let out = referenceName(ref);
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

/** `reference.FamiliarName`: `docker.io/library/alpine` → `alpine`, `docker.io/a/b` → `a/b`. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== defaultDomain) return referenceName(ref);
  if (ref.path.startsWith(officialRepoPrefix)) {
    const rest = ref.path.slice(officialRepoPrefix.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** `reference.FamiliarString`: the display form, e.g. `alpine:latest`. */
export function familiarString(ref: ImageReference): string {
  return referenceString({ ...ref, domain: '', path: familiarName(ref) });
}

/** `reference.WithTag`: replaces the tag (keeping any digest). */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!anchoredTagRegexp.test(tag)) throw new InvalidReferenceError('invalid tag format');
  return { ...ref, tag };
}

/** True when the reference has neither tag nor digest. */
export function isNameOnly(ref: ImageReference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}
