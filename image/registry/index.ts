// Public surface of the registry client (OCI distribution API, Docker-style authentication). Names are chosen
// not to clash with the rest of image/, so image/index.ts can `export * from './registry/index.js'`.
export type { CredentialSource } from './auth.js';
export type { BlobProgress, BlobSink, DownloadOptions, ProgressCallback } from './blob-download.js';
export type { BlobSource, UploadOptions, UploadResult } from './blob-upload.js';
export { type AuthChallenge, parseChallenges } from './challenge.js';
export {
  type FetchedImageManifest,
  type FetchedIndex,
  RegistryClient,
  type RegistryClientOptions,
  type RegistryImage,
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
  bestPlatformManifest,
  defaultPlatform,
  formatPlatform,
  normalizePlatform,
  parsePlatform,
  platformRank,
} from './platform.js';
export { type PulledImage, type PullImageOptions, pullImage } from './pull-image.js';
export { type PushImageOptions, pushImage } from './push-image.js';
export type { RetryOptions } from './retry.js';
export { allowsPlainHttp, isLoopbackHost } from './transport.js';
export { type FetchedManifest, type Repository, registryManifestTypes } from './types.js';
