// Public surface of the planner.

// The planner plans parsed Dockerfiles; the executor reaches the parser through here, as DESIGN's module table
// lets the executor import only planner, cache and image (ramInBytes: a tmpfs mount's size, as the planner checked it).
export { type Diagnostic, parse, ramInBytes } from '../parser/index.js';
export type {
  ContextSource,
  GitCheckout,
  GitResolution,
  GitResolver,
  NamedContext,
  SelectedFile,
  SelectedFiles,
  SourceChecksum,
  SourceEpochResolver,
  SourceSelectionOptions,
} from './build-sources.js';
export { canonicalise, chainKey, KEY_VERSION, sha256 } from './cache-key.js';
export { type FailedStep, hasLocation, PlanError } from './errors.js';
export { explainChanges, type StepExplanation } from './explain.js';
export { type FromLineOptions, fromLineError } from './from-errors.js';
export {
  downloadName,
  type GitRef,
  GitRefError,
  isCommitSha,
  isHttpSource,
  parseGitRef,
  redactCredentials,
} from './git-ref.js';
export { type GitFlags, GitSourceError, type PlannedGitSource, resolveGitSource } from './git-source.js';
export type {
  BaseImageResolver,
  ConfigChange,
  HealthcheckConfig,
  ImageConfig,
  Platform,
  ResolvedImage,
} from './image-config.js';
export {
  type ListedInput,
  type ListedPlan,
  type ListedStage,
  type ListedStep,
  listInputs,
  listPlan,
} from './listed-plan.js';
export { MemoryImageResolver } from './memory-resolver.js';
export { contextName } from './named-contexts.js';
export {
  type Outline,
  type OutlineArg,
  type OutlineDeps,
  type OutlineLocation,
  type OutlineMount,
  type OutlineOptions,
  outline,
} from './outline/outline.js';
export { type BuildTarget, listTargets } from './outline/targets.js';
export { plan } from './plan.js';
export { formatPlatform, hostPlatform, parsePlatform } from './platform.js';
export { lazySnapshotSource, snapshotSource } from './snapshot-source.js';
export { isCountedStep, stageLabelOf, vertexName } from './step-names.js';
export { storeResolver } from './store-resolver.js';
export type {
  BuildNetwork,
  BuildRunOptions,
  ExtraHost,
  MountOrigin,
  Plan,
  PlanDeps,
  PlanOptions,
  PlanResult,
  PlanStage,
  PlanStep,
  RunMount,
  StageBase,
  StepInput,
  StepOperation,
  Ulimit,
} from './types.js';
export { copiesWholeContext } from './whole-context.js';
