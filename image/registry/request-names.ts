// The repository names and tags or digests a registry request carries: they end up in URL paths, so only the
// reference grammar's characters may get there; and their display form in messages.
import type { ImageReference } from '../reference.js';
import { RegistryError } from './errors.js';
import type { Repository } from './types.js';

const repositoryPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;

/** A repository path (`library/alpine`), as the reference grammar allows it. */
export function checkRepositoryPath(path: string): void {
  if (!repositoryPattern.test(path)) throw new RegistryError('EREG_INVALID', `invalid repository name "${path}"`);
}

export function checkRepository(repo: Repository): void {
  checkRepositoryPath(repo.path);
  if (repo.domain === '') throw new RegistryError('EREG_INVALID', `repository "${repo.path}" has no registry host`);
}

/** A tag or a sha256 digest. */
export function checkReference(reference: string): void {
  if (!tagPattern.test(reference) && !/^sha256:[a-f0-9]{64}$/.test(reference)) {
    throw new RegistryError('EREG_INVALID', `invalid tag or digest "${reference}"`);
  }
}

/** The digest of `ref` if it names one, else its tag. */
export function referenceOf(ref: ImageReference): string {
  const reference = ref.digest ?? ref.tag;
  if (reference === undefined) throw new RegistryError('EREG_INVALID', `${ref.domain}/${ref.path}: no tag or digest`);
  return reference;
}

/** `host/repo:tag` or `host/repo@sha256:…`, for messages. */
export function displayName(repo: Repository, reference: string): string {
  return `${repo.domain}/${repo.path}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
}
