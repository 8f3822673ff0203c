// Public surface of the registry client (OCI distribution API, Docker-style authentication).
export type { CredentialSource } from './auth.js';
export type { BlobProgress, BlobSink, DownloadOptions, ProgressCallback } from './blob-download.js';
export type { BlobSource, UploadOptions, UploadResult } from './blob-upload.js';
export { type AuthChallenge, parseChallenges } from './challenge.js';
export {
  type FetchedImageManifest,
  type FetchedIndex,
  RegistryClient,
  type RegistryClientOptions,
  type ResolvedImage,
} from './client.js';
export {
  type Credentials,
  credentialServer,
  type DockerConfigOptions,
  dockerConfigPath,
  getCredentials,
  removeCredentials,
  storeCredentials,
} from './docker-config.js';
export { RegistryError, type RegistryErrorCode } from './errors.js';
export { mapConcurrent } from './limit.js';
export {
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  platformRank,
  selectPlatformManifest,
} from './platform.js';
export type { RetryOptions } from './retry.js';
export { isLoopbackHost } from './transport.js';
export {
  acceptedManifestTypes,
  type Descriptor,
  type FetchedManifest,
  type ImageIndex,
  type ImageManifest,
  isIndexMediaType,
  type ManifestMediaType,
  mediaTypes,
  type Platform,
  type Repository,
} from './types.js';
