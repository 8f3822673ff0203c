import type { Digest } from '../digest.js';
import type { Descriptor, Platform } from '../oci-types.js';
import type { ImageReference } from '../reference.js';
import type { CredentialSource } from './auth.js';
import { type BlobSink, type DownloadOptions, downloadBlob } from './blob-download.js';
import { type BlobSource, type UploadOptions, type UploadResult, uploadBlob } from './blob-upload.js';
import { type DockerConfigOptions, getCredentials, removeCredentials, storeCredentials } from './docker-config.js';
import { RegistryError } from './errors.js';
import { drain, readBody } from './http.js';
import { mapConcurrent } from './limit.js';
import { parseManifest } from './manifest-parse.js';
import { bestPlatformManifest, defaultPlatform, formatPlatform } from './platform.js';
import { checkReference, checkRepository, checkRepositoryPath, displayName, referenceOf } from './request-names.js';
import { defaultRetry, type RetryOptions } from './retry.js';
import { Transport, unexpectedResponse } from './transport.js';
import { type FetchedManifest, type Repository, registryManifestTypes } from './types.js';

export interface RegistryClientOptions {
  /** Registry hosts (`host[:port]`) that may use plain HTTP / unverified TLS; loopback hosts always may. */
  readonly insecureHosts?: readonly string[];
  /** Where credentials come from; default: the Docker config file and its credential helpers. */
  readonly credentials?: CredentialSource;
  readonly dockerConfig?: DockerConfigOptions;
  readonly retry?: Partial<RetryOptions>;
  /** Abort a request when its connection is silent this long (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Parallel blob transfers of fetchBlobs/pushBlobs (default 6, as containers/image: a typical image's layers at once). */
  readonly concurrency?: number;
  readonly userAgent?: string;
}

export type FetchedImageManifest = Extract<FetchedManifest, { kind: 'manifest' }>;
export type FetchedIndex = Extract<FetchedManifest, { kind: 'index' }>;

/** An image manifest for one platform, and the index it was chosen from when the reference named one. */
export interface RegistryImage {
  readonly index?: FetchedIndex;
  readonly manifest: FetchedImageManifest;
}

const manifestLimit = 4 * 1024 * 1024;
const accept = registryManifestTypes.join(', ');

/** A client of the OCI distribution API for any number of registries. Call close() when done. */
export class RegistryClient {
  private readonly transport: Transport;
  private readonly retry: RetryOptions;
  private readonly concurrency: number;
  private readonly dockerConfig: DockerConfigOptions;

  constructor(options: RegistryClientOptions = {}) {
    this.retry = { ...defaultRetry, ...options.retry };
    this.concurrency = options.concurrency ?? 6;
    this.dockerConfig = options.dockerConfig ?? {};
    this.transport = new Transport({
      insecureHosts: options.insecureHosts ?? [],
      credentials: options.credentials ?? ((host) => getCredentials(host, this.dockerConfig)),
      retry: this.retry,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      userAgent: options.userAgent ?? 'tsbuild',
      maxSockets: Math.max(8, this.concurrency * 2),
    });
  }

  close(): void {
    this.transport.close();
  }

  /** Checks that `host` speaks the distribution API (and learns how it authenticates). */
  async ping(host: string): Promise<void> {
    await this.transport.baseUrl(host);
  }

  /** The descriptor a tag or digest points to, from a HEAD request when the registry supports it. */
  async resolve(ref: ImageReference): Promise<Descriptor> {
    checkRepository(ref);
    const reference = referenceOf(ref);
    checkReference(reference);
    const res = await this.transport.request(ref.domain, {
      method: 'HEAD',
      target: `/v2/${ref.path}/manifests/${reference}`,
      headers: { accept },
      scopes: [`repository:${ref.path}:pull`],
      subject: `${ref.domain}/${ref.path}`,
    });
    await drain(res.body);
    const digest = res.headers['docker-content-digest'];
    const mediaType = res.headers['content-type']?.split(';')[0]?.trim();
    const size = Number(res.headers['content-length']);
    if (
      res.status === 200 &&
      typeof digest === 'string' &&
      /^sha256:[a-f0-9]{64}$/.test(digest) &&
      (ref.digest === undefined || ref.digest === digest) &&
      mediaType !== undefined &&
      registryManifestTypes.includes(mediaType) &&
      Number.isSafeInteger(size)
    ) {
      return { mediaType, digest: digest as Digest, size };
    }
    if (res.status === 404)
      throw new RegistryError('EREG_NOT_FOUND', `manifest unknown: ${displayName(ref, reference)} not found`, {
        status: 404,
      });
    // Some registries answer HEAD without a digest: fetch the manifest and hash it.
    return (await this.getManifest(ref, reference)).descriptor;
  }

  /** Fetches a manifest or index by tag or digest, verifying its digest. */
  async getManifest(repo: Repository, reference: string): Promise<FetchedManifest> {
    checkRepository(repo);
    checkReference(reference);
    const what = `manifest ${displayName(repo, reference)}`;
    const res = await this.transport.request(repo.domain, {
      method: 'GET',
      target: `/v2/${repo.path}/manifests/${reference}`,
      headers: { accept },
      scopes: [`repository:${repo.path}:pull`],
      subject: `${repo.domain}/${repo.path}`,
    });
    if (res.status === 404) {
      await drain(res.body);
      throw new RegistryError('EREG_NOT_FOUND', `manifest unknown: ${displayName(repo, reference)} not found`, {
        status: 404,
      });
    }
    if (res.status !== 200) throw await unexpectedResponse(res, what);
    const bytes = await readBody(res.body, manifestLimit);
    if (bytes === undefined) throw new RegistryError('EREG_TOO_LARGE', `${what}: larger than ${manifestLimit} bytes`);
    const announced = res.headers['docker-content-digest'];
    const expected = reference.startsWith('sha256:')
      ? (reference as Digest)
      : typeof announced === 'string' && /^sha256:[a-f0-9]{64}$/.test(announced)
        ? (announced as Digest)
        : undefined;
    return parseManifest(bytes, res.headers['content-type'], expected, what);
  }

  /**
   * The image manifest for `platform` (default: this machine's): follows an index or manifest list with
   * containerd's platform matching; a plain manifest is returned as is.
   */
  async getImage(ref: ImageReference, platform: Platform = defaultPlatform()): Promise<RegistryImage> {
    const top = await this.getManifest(ref, referenceOf(ref));
    if (top.kind === 'manifest') return { manifest: top };
    const chosen = bestPlatformManifest(top.index.manifests, platform);
    if (chosen === undefined) {
      const available = top.index.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : [])).join(', ');
      throw new RegistryError(
        'EREG_NO_PLATFORM',
        `${ref.domain}/${ref.path}: no image for platform ${formatPlatform(platform)} (available: ${available || 'none'})`,
      );
    }
    const child = await this.getManifest(ref, chosen.digest);
    if (child.kind !== 'manifest') {
      throw new RegistryError(
        'EREG_MEDIA_TYPE',
        `${ref.domain}/${ref.path}@${chosen.digest}: nested index is not supported`,
      );
    }
    return { index: top, manifest: child };
  }

  /** Downloads and verifies one blob, then hands the verified file to `sink`. */
  fetchBlob<T>(
    repo: Repository,
    blob: { readonly digest: Digest; readonly size?: number },
    sink: BlobSink<T>,
    options: DownloadOptions,
  ): Promise<T> {
    checkRepository(repo);
    return downloadBlob(this.transport, repo.domain, repo.path, blob, sink, options, this.retry);
  }

  /** Downloads several blobs, `concurrency` at a time; the first failure stops new downloads. */
  fetchBlobs<T>(
    repo: Repository,
    blobs: readonly Descriptor[],
    sink: (blob: Descriptor, verifiedFile: string) => Promise<T>,
    options: DownloadOptions & { readonly concurrency?: number },
  ): Promise<T[]> {
    return mapConcurrent(blobs, options.concurrency ?? this.concurrency, (blob) =>
      this.fetchBlob(repo, blob, (file) => sink(blob, file), options),
    );
  }

  async blobExists(repo: Repository, digest: Digest): Promise<boolean> {
    checkRepository(repo);
    const res = await this.transport.request(repo.domain, {
      method: 'HEAD',
      target: `/v2/${repo.path}/blobs/${digest}`,
      scopes: [`repository:${repo.path}:pull`],
      subject: `${repo.domain}/${repo.path}`,
    });
    await drain(res.body);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await unexpectedResponse(res, `blob ${digest} of ${repo.domain}/${repo.path}`);
  }

  pushBlob(
    repo: Repository,
    blob: { readonly digest: Digest; readonly size: number },
    source: BlobSource,
    options: UploadOptions = {},
  ): Promise<UploadResult> {
    checkRepository(repo);
    if (options.mountFrom !== undefined) checkRepositoryPath(options.mountFrom);
    return uploadBlob(this.transport, repo.domain, repo.path, blob, source, options, this.retry);
  }

  /** Pushes several blobs, `concurrency` at a time; the first failure stops new uploads. */
  pushBlobs(
    repo: Repository,
    blobs: readonly { readonly blob: Descriptor; readonly source: BlobSource; readonly mountFrom?: string }[],
    options: Omit<UploadOptions, 'mountFrom'> & { readonly concurrency?: number } = {},
  ): Promise<UploadResult[]> {
    const { concurrency, ...upload } = options;
    return mapConcurrent(blobs, concurrency ?? this.concurrency, (item) =>
      this.pushBlob(repo, item.blob, item.source, {
        ...upload,
        ...(item.mountFrom !== undefined ? { mountFrom: item.mountFrom } : {}),
      }),
    );
  }

  /** Uploads a manifest under a tag or its digest; answers its digest. Pushing it again by tag is tagging. */
  async putManifest(repo: Repository, reference: string, mediaType: string, bytes: Buffer): Promise<Descriptor> {
    checkRepository(repo);
    checkReference(reference);
    const parsed = parseManifest(
      bytes,
      mediaType,
      reference.startsWith('sha256:') ? (reference as Digest) : undefined,
      `manifest for ${repo.domain}/${repo.path}:${reference}`,
    );
    const what = `push of manifest ${repo.domain}/${repo.path}:${reference}`;
    const res = await this.transport.request(repo.domain, {
      method: 'PUT',
      target: `/v2/${repo.path}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [`repository:${repo.path}:pull,push`],
      subject: `${repo.domain}/${repo.path}`,
    });
    if (res.status !== 201 && res.status !== 200) throw await unexpectedResponse(res, what);
    await drain(res.body);
    const announced = res.headers['docker-content-digest'];
    if (typeof announced === 'string' && announced !== parsed.descriptor.digest) {
      throw new RegistryError(
        'EREG_DIGEST_MISMATCH',
        `${what}: registry stored ${announced}, expected ${parsed.descriptor.digest}`,
      );
    }
    return { mediaType, digest: parsed.descriptor.digest, size: bytes.length };
  }

  /**
   * `tsbuild login`: checks the credentials against the registry (a token with no scope, or basic auth on
   * `/v2/`), then saves them in the Docker config (or its credential helper).
   */
  async login(host: string, username: string, password: string): Promise<void> {
    this.transport.auth.useCredentials(host, { username, password });
    const res = await this.transport.request(host, { method: 'GET', target: '/v2/', scopes: [], subject: host });
    await drain(res.body);
    if (res.status !== 200) throw await unexpectedResponse(res, `login to ${host}`);
    await storeCredentials(host, { username, password }, this.dockerConfig);
  }

  /** `tsbuild logout`: forgets the saved credentials of `host`; answers whether there were any. */
  async logout(host: string): Promise<boolean> {
    this.transport.auth.useCredentials(host, undefined);
    return removeCredentials(host, this.dockerConfig);
  }
}
