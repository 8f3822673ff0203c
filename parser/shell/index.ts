// Public surface of the shell-word lexer (BuildKit frontend/dockerfile/shell semantics).
export { shellEnvFromList } from './env.js';
export { expandWord, expandWords, variableReferences } from './expand.js';
export { findShellPattern } from './matcher.js';
export { mandatoryVariableMessage } from './operations.js';
export type { ShellPattern, ShellPatternResult, ShellPatternToken } from './pattern.js';
export { compileShellPattern, reverseShellPattern } from './pattern.js';
export type {
  ExpandResult,
  ExpandWordsResult,
  ShellEnv,
  ShellEnvLookup,
  ShellLexOptions,
  ShellVariableReference,
} from './types.js';
