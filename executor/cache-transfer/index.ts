// Build cache export and import (`--cache-to`, `--cache-from`): local OCI layout or registry.

export { CacheFormatError, CacheMediaType, type CacheRecord } from './format.js';
export { inlineCache, inlineCacheField } from './inline.js';
export { exportScope, type ImportScope, importScope, planStepKeys, stepScope } from './scope.js';
export { type CacheMode, type CacheSpec, CacheSpecError, parseCacheSpec } from './spec.js';
export { type CacheExportScope, exportCache, importCache, type TransferOptions } from './transfer.js';
