// Public surface of the planner.

export { canonicalise, chainKey, KEY_VERSION, sha256 } from './cache-key.js';
export { hasLocation, PlanError } from './errors.js';
export { explainChanges, type StepExplanation } from './explain.js';
export { MemoryImageResolver } from './memory-resolver.js';
export { plan } from './plan.js';
export { formatPlatform, hostPlatform, parsePlatform } from './platform.js';
export { snapshotSource } from './snapshot-source.js';
export { storeResolver } from './store-resolver.js';
export type {
  BaseImageResolver,
  ConfigChange,
  ContextSource,
  HealthcheckConfig,
  ImageConfig,
  MountOrigin,
  Plan,
  PlanDeps,
  PlanOptions,
  PlanResult,
  PlanStage,
  PlanStep,
  Platform,
  ResolvedImage,
  RunMount,
  SelectedFile,
  SourceChecksum,
  SourceSelectionOptions,
  StageBase,
  StepInput,
  StepOperation,
} from './types.js';
