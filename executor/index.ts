// The executor's public surface. So far: RUN isolation (runtime spec, runc), overlay snapshots and
// the upper-dir differ; the build itself (plan → stages → image) is executor/build/.

export { compressionOf, decompressed, isTarHeader, readHead } from './build/archive.js';
export { build } from './build/build.js';
export type { BuildOptions, BuildResult, PlannedBuild } from './build/build-options.js';
export {
  type CacheFilter,
  type CachePrunePolicy,
  type CollectResult,
  collectBuildCache,
  keepBytes,
  sweepTombstones,
} from './build/cache-gc.js';
export { defaultGcPolicies, defaultGcSpace, diskShare, type GcSpace } from './build/cache-gc-policy.js';
export { cachedBlobs } from './build/cache-index.js';
export {
  type CacheRecordType,
  type CacheUsage,
  type CacheUsageRecord,
  layerBytes,
  readCacheUsage,
  treeSize,
} from './build/cache-usage.js';
export { forgetContentDigests } from './build/content-memo.js';
export { pruneCopyRecords } from './build/copy-reuse-record.js';
export { pruneDirXattrMemos } from './build/dir-xattr-memo.js';
export { checkStatus, request, saveBody } from './build/download.js';
export { ENTITLEMENTS, type Entitlement, parseEntitlement } from './build/entitlements.js';
export { BuildError, type BuildErrorDetails } from './build/errors.js';
export {
  exportFilesystem,
  type FilesystemOutputSpec,
  type OutputSpec,
  OutputSpecError,
  parseOutput,
} from './build/export.js';
export { exportImage, type ImageOutputSpec, normalizedNames } from './build/export-image.js';
export { exportOutput, wantsRewriteTimestamp } from './build/export-output.js';
export {
  asStoreOutput,
  PushOutputError,
  parsePushOutput,
  pushBuiltImage,
  pushNames,
  type RegistryPushSpec,
} from './build/export-registry.js';
export { type GitAgent, gitAgent, isSshRemote } from './build/git-ssh.js';
export { toTarEntry } from './build/layer-commit.js';
export { snapshotIdOf } from './build/layer-ref.js';
export { liveBuildsSince, registerBuild } from './build/live-builds.js';
export { buildPlatforms, multiPlatformRefusal } from './build/multi-platform.js';
export type { BuildContextOption } from './build/named-contexts.js';
export { phaseTimer } from './build/phase-timer.js';
export { cachedPendingSteps } from './build/plan-completion.js';
export {
  forgetRecordedPlans,
  isStepCached,
  loadRecordedPlan,
  type PlanIdentity,
  recordPlan,
} from './build/plan-record.js';
export { type Progress, plainProgress, type StepProgress, silentProgress } from './build/progress.js';
export { type ProgressMode, type ProgressTarget, progressFor } from './build/progress-mode.js';
export { type TtyProgress, type TtyProgressOptions, type TtyStream, ttyProgress } from './build/progress-tty.js';
export type { PullPolicy } from './build/pull-base.js';
export { baseLayerCount, type RewrittenImage, rewriteTimestamps } from './build/rewrite-timestamp.js';
export { readSecretSource } from './build/secret-source.js';
export { type StreamedUnpack, startStreamedUnpack, type UnpackFailure, unpackImageLayers } from './build/snapshots.js';
export type { SshSource } from './build/ssh-forward.js';
export type { SecretSource } from './build/step-env.js';
export * from './cache-transfer/index.js';
export * from './container/index.js';
export { type LayerEntry, type LayerEntryType, opaqueWhiteoutName, whiteoutPrefix } from './diff/layer-entry.js';
export { type PruneOptions, pruneMountStubs } from './diff/mount-stubs.js';
export { readNoFollow } from './diff/read-content.js';
export { diffUpperDir, type UpperDiffOptions } from './diff/upper.js';
export { parseGetfattrDump, readTreeXattrs, type Xattrs } from './diff/xattrs.js';
export * from './git/index.js';
export { primeCgroupMigration } from './runtime/cgroup-prime.js';
export {
  defaultHostname,
  type ExtraHost,
  hostsFileContent,
  type NetworkFileOptions,
  writeNetworkFiles,
} from './runtime/network-files.js';
export type { OciConsoleSize, OciMount, OciRlimit, OciSpec } from './runtime/oci-spec.js';
export type { TerminalSize } from './runtime/pty-resize.js';
export {
  defaultRuncStateRoot,
  newContainerId,
  type RunContainerOptions,
  type RunContainerResult,
  RuntimeError,
  runContainer,
} from './runtime/runc.js';
export { defaultStateRoot, runtimeCommand } from './runtime/runtime-command.js';
export { type ContainerTerminal, shellWord } from './runtime/spawned-run.js';
export {
  createRunSpec,
  defaultCapabilities,
  defaultMaskedPaths,
  defaultReadonlyPaths,
  defaultShmSize,
  type ExtraMount,
  mountStubPaths,
  type NetworkFiles,
  type RunSpecOptions,
} from './runtime/spec.js';
export { cleanMountsUnder, listMountsUnder, type MountInfo, parseMountInfo } from './snapshot/leftovers.js';
export { type LowerView, mountLowerView } from './snapshot/lower-view.js';
export { ensureMountPointLayer } from './snapshot/mount-points.js';
export { activeMounts, unmountAllSync } from './snapshot/mount-registry.js';
export {
  MountError,
  maxMountDataLength,
  mountOverlay,
  type OverlayMount,
  type OverlayOptions,
  unmountPath,
  withOverlay,
} from './snapshot/overlay.js';
