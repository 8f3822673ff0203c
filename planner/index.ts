// Public surface of the planner.

export { plan } from './plan.js';
export { PlanError, hasLocation } from './errors.js';
export { snapshotSource } from './snapshot-source.js';
export { canonicalise, chainKey, sha256, KEY_VERSION } from './cache-key.js';
export { formatPlatform, hostPlatform, parsePlatform } from './platform.js';
export { MemoryImageResolver } from './memory-resolver.js';
export type {
  BaseImageResolver,
  ConfigChange,
  ContextSource,
  HealthcheckConfig,
  ImageConfig,
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
