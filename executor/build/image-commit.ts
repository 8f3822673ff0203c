// The image of the target stage: OCI config (platform, runtime config as BuildKit writes it,
// rootfs diff_ids, history) and manifest stored, tags pointed at it. The image key (plan key +
// actual diff_ids + labels + epoch) maps to the committed manifest, so a rebuild that changes
// nothing yields the very same image id.
import {
  type ContainerConfig,
  type Descriptor,
  type Digest,
  encodeConfig,
  encodeManifest,
  goTimeOfSeconds,
  goTimeText,
  type HistoryEntry,
  type ImageConfig as OciImageConfig,
  OciMediaType,
  type Store,
  sha256Digest,
} from '../../image/index.js';
import { canonicalise, type ImageConfig, type PlanStage } from '../../planner/index.js';
import { lookupImage, recordImage } from './cache-index.js';
import type { StageResult } from './stage-runner.js';

export interface CommitOptions {
  readonly labels: Readonly<Record<string, string>>;
  readonly epoch: number | null;
  readonly now: number;
  readonly tags: readonly string[];
  /** Keep the image as a dangling one when it has no tags (see BuildOptions.keepUntagged). */
  readonly keepUntagged: boolean;
  readonly noCache: boolean;
}

export interface CommittedImage {
  /** The image id: digest of the config. */
  readonly configDigest: Digest;
  readonly manifestDigest: Digest;
  /** The key of this image's record in the cache index (what a cache export names it by). */
  readonly cacheKey: Digest;
  readonly manifest: Descriptor;
  readonly config: OciImageConfig;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function containerConfig(config: ImageConfig, labels: Readonly<Record<string, string>>): ContainerConfig {
  const out: Mutable<ContainerConfig> = {};
  if (config.User !== undefined && config.User !== '') out.User = config.User;
  if (config.ExposedPorts && Object.keys(config.ExposedPorts).length > 0)
    out.ExposedPorts = Object.fromEntries(Object.keys(config.ExposedPorts).map((k) => [k, {}]));
  if (config.Env !== undefined) out.Env = [...config.Env];
  if (config.Entrypoint) out.Entrypoint = [...config.Entrypoint];
  if (config.Cmd) out.Cmd = [...config.Cmd];
  if (config.Volumes && Object.keys(config.Volumes).length > 0)
    out.Volumes = Object.fromEntries(Object.keys(config.Volumes).map((k) => [k, {}]));
  // As BuildKit: `/` for a stage from scratch (the planner starts it so), the base image's own (maybe none) otherwise.
  if (config.WorkingDir !== undefined && config.WorkingDir !== '') out.WorkingDir = config.WorkingDir;
  const allLabels = { ...(config.Labels ?? {}), ...labels };
  if (Object.keys(allLabels).length > 0) out.Labels = allLabels;
  if (config.StopSignal !== undefined && config.StopSignal !== '') out.StopSignal = config.StopSignal;
  // Set by CMD (BuildKit's dispatchCmd), or inherited from the base image's config.
  if (config.ArgsEscaped === true) out.ArgsEscaped = true;
  if (config.Healthcheck !== undefined) out.Healthcheck = { ...config.Healthcheck, Test: [...config.Healthcheck.Test] };
  if (config.OnBuild && config.OnBuild.length > 0) out.OnBuild = [...config.OnBuild];
  if (config.Shell && config.Shell.length > 0) out.Shell = [...config.Shell];
  return out;
}

export async function commitImage(
  store: Store,
  stage: PlanStage,
  result: StageResult,
  options: CommitOptions,
): Promise<CommittedImage> {
  const diffIds = result.fs.layers.map((l) => l.diffId);
  // `times`: configs are written with Go's times since this version (image/go-time.ts); a record of an older
  // config is not reused, so a rebuild commits the config anew once. Step keys do not change.
  const key = sha256Digest(
    canonicalise({
      image: stage.imageKey,
      diffIds,
      labels: { ...options.labels },
      epoch: options.epoch,
      times: 'go',
      // Config steps' history as BuildKit writes it (WORKDIR, ONBUILD, HEALTHCHECK texts; times of the layer before);
      // 3: EXPOSE ports in the order given, RUN's `|N` args with unset ARGs, no WorkingDir `/` unless from scratch;
      // 4: a heredoc source of COPY/ADD as `<<NAME`; 5: EXPOSE sorted as written, COPY/ADD with --chown/--chmod.
      history: 5,
    }),
  );
  const cached = options.noCache ? null : await lookupImage(store, key, 'use');
  let manifest: Descriptor;
  let configDigest: Digest;
  let configBytes: Uint8Array;
  if (cached !== null) {
    // What tagging needs is in the manifest itself: read once, not checked again by `store.tag`.
    const [manifestBytes, storedConfig] = await Promise.all([
      store.readBlob(cached.manifest),
      store.readBlob(cached.config),
    ]);
    const parsed = JSON.parse(manifestBytes.toString('utf8')) as { mediaType?: string };
    manifest = {
      mediaType: parsed.mediaType ?? OciMediaType.manifest,
      digest: cached.manifest,
      size: manifestBytes.length,
    };
    configDigest = cached.config;
    configBytes = storedConfig;
    await tagAll(store, options, manifest);
  } else {
    const config = imageConfig(stage, result, options);
    const encoded = encodeConfig(config);
    const configDescriptor: Descriptor = {
      mediaType: OciMediaType.config,
      digest: encoded.digest,
      size: encoded.bytes.length,
    };
    // Config and manifest blobs are written at once and made durable in the background: their fsyncs overlap each
    // other's and those of layers still in flight (a COPY's: direct-step.ts), batched in the journal's commits. The
    // manifest counts as durable only with its config and layers (Store.putBlobDeferred's references): the record
    // and the tags, which name it, are written beside and renamed into place only once all of them are durable (the
    // index lock taken, index.json written and synced meanwhile: index-refs.ts). A manifest that lands without its
    // config is unreferenced until then, so a crash leaves only garbage for prune.
    const layers = result.fs.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
    const encodedManifest = encodeManifest({
      schemaVersion: 2,
      mediaType: OciMediaType.manifest,
      config: configDescriptor,
      layers,
    });
    const references = [configDescriptor.digest, ...layers.map((l) => l.digest)];
    manifest = { mediaType: OciMediaType.manifest, digest: encodedManifest.digest, size: encodedManifest.bytes.length };
    configDigest = configDescriptor.digest;
    configBytes = encoded.bytes;
    // Both digests are given: the store tracks them from the first call on, so the record and tags wait for them.
    const outcomes = await Promise.allSettled([
      store.putBlobDeferred(encoded.bytes, encoded.digest),
      store.putBlobDeferred(encodedManifest.bytes, encodedManifest.digest, references),
      recordImage(store, key, { manifest: manifest.digest, config: configDigest }),
      tagAll(store, options, manifest),
    ]);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }
  return {
    configDigest,
    manifestDigest: manifest.digest,
    cacheKey: key,
    manifest: { mediaType: OciMediaType.manifest, digest: manifest.digest, size: manifest.size },
    // The stored config as it reads back (canonical key order), from the bytes at hand.
    config: JSON.parse(Buffer.from(configBytes).toString('utf8')) as OciImageConfig,
  };
}

async function tagAll(store: Store, options: CommitOptions, manifest: Descriptor): Promise<void> {
  // Untagged, it is kept as a dangling image: its ID works (`tsbuild run $(tsbuild build -q .)`), as in Docker.
  if (options.tags.length === 0 && options.keepUntagged) await store.keepDangling(manifest);
  for (const tag of options.tags) await store.tagManifest(tag, manifest);
}

function imageConfig(stage: PlanStage, result: StageResult, options: CommitOptions): OciImageConfig {
  const now = goTimeOfSeconds(options.epoch ?? options.now);
  const history = withCreatedTimes(result.history, now).map(goHistoryTime);
  // Without SOURCE_DATE_EPOCH, BuildKit's image is as old as its last history entry (patchImageConfig): a rebuild
  // from cache, or ENV on a base image, does not make it newer.
  const created = options.epoch === null ? (history.at(-1)?.created ?? now) : now;
  const author = (stage.config as { Author?: string }).Author;
  return {
    architecture: stage.platform.architecture,
    os: stage.platform.os,
    ...(stage.platform.variant === undefined ? {} : { variant: stage.platform.variant }),
    created,
    ...(author === undefined ? {} : { author }),
    config: containerConfig(stage.config, options.labels),
    rootfs: { type: 'layers', diff_ids: result.fs.layers.map((l) => l.diffId) },
    history,
  };
}

/**
 * BuildKit's exporter (normalizeLayersAndHistory) gives an entry without a time (a config step's, when no
 * SOURCE_DATE_EPOCH is set) the time of the layer made before it; those before the first new layer take that
 * layer's time and, with no new layer at all, the base image's last time. So `ENV` before a cached `COPY` shows
 * when that COPY ran, as in `docker history`. `fallback` serves a history that has no time at all.
 */
export function withCreatedTimes(history: readonly HistoryEntry[], fallback: string): HistoryEntry[] {
  let created: string | undefined;
  let untimed = false;
  for (const entry of history) {
    if (entry.created !== undefined) {
      created = entry.created;
      if (untimed) break;
    } else untimed = true;
  }
  untimed = false;
  return history.map((entry) => {
    if (entry.created !== undefined) {
      if (untimed) created = entry.created;
      return entry;
    }
    untimed = true;
    return { ...entry, created: created ?? fallback };
  });
}

/** A history entry's time as BuildKit writes it back (a base image's entries too: it re-encodes them). */
function goHistoryTime(entry: HistoryEntry): HistoryEntry {
  const created = entry.created === undefined ? null : goTimeText(entry.created);
  return created === null || created === entry.created ? entry : { ...entry, created };
}
