// Build-context snapshots: .dockerignore, the context walk, BuildKit content checksums, stat cache.

export {
  combinedSourcesDigest,
  devMajorMinor,
  directoryDigest,
  EMPTY_DIGEST,
  fileDigest,
  type HeaderFields,
  headerBytes,
  headerFor,
  headerOnlyDigest,
  selectorDigest,
} from './checksum.js';
export { checksumFailure, checksumStepFailure, contextRefId } from './checksum-error.js';
export { type ContextEntry, compareNames, type EntryType, type SpecialKind } from './entry.js';
export { defaultFileReader, type FileReader } from './file-hasher.js';
export { BadPatternError, goMatch } from './go-glob.js';
export { cleanPath } from './go-path.js';
export { hashOpenFile, mainHashFileIo } from './hash-file.js';
export { type IgnorePattern, parseIgnoreFile } from './ignore-file.js';
export { compileIgnore, IgnoreMatcher, IgnorePatternError, type ParentMatchInfo } from './ignore-matcher.js';
export { type MatchKind, type PatternTranslation, translatePattern } from './ignore-pattern.js';
export { containsWildcards, splitWildcards } from './included-paths.js';
export { resolveInSnapshot, TooManyLinksError, toRel } from './resolve.js';
export {
  type SelectableSnapshot,
  type SelectedEntry,
  type SelectOptions,
  type SelectResult,
  type SourceSelection,
  selectSources,
} from './select.js';
export { ContextSnapshot, ROOT } from './snapshot.js';
export { findIgnoreFile, type SnapshotOptions, snapshotContext } from './snapshot-context.js';
export { StatCache } from './stat-cache.js';
export { contextStatCacheDir, contextStatCacheFile } from './stat-cache-location.js';
export { type SubtreeOptions, snapshotSubtrees, staticPrefix } from './subtree.js';
export { snapshotContextFromTar, type UnpackResult, UnsafeTarError, unpackContextTar } from './tar-context.js';
export type { WalkFs } from './walk.js';
