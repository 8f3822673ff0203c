// How index.json names its entries: a tagged entry carries its reference in the `org.opencontainers.image.ref.name`
// annotation, as `name:tag` or `name@sha256:…` (normalised: `docker.io/library/alpine:latest`); an untagged
// (dangling) entry carries none.
import type { Digest } from '../digest.js';
import { Annotation } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import { parseDockerRef, referenceName } from '../reference.js';
import { ImageNotFoundError } from './resolve.js';

/** The reference an index.json entry is tagged with; undefined for an untagged one. */
export function refOf(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[Annotation.refName];
}

/** The stored name of `ref`; a digest reference must name `manifestDigest` itself. */
export function checkedRefName(ref: string, manifestDigest: Digest): string {
  const named = parseDockerRef(ref).digest;
  if (named !== undefined && named !== manifestDigest) {
    throw new ImageNotFoundError(`${ref} names ${named}, not ${manifestDigest}`);
  }
  return storedRefName(ref);
}

/** The stored name of a reference: `name:tag`, or `name@sha256:…` for a digest reference (a tag is dropped). */
export function storedRefName(ref: string): string {
  const parsed = parseDockerRef(ref);
  if (parsed.digest !== undefined) return `${referenceName(parsed)}@${parsed.digest}`;
  return `${referenceName(parsed)}:${parsed.tag}`;
}
