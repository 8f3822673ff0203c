// The fixed values of build options, shared by yargs' checks (program.ts, build-command.ts), the fast path
// (fast-path-build.ts) and the checks of values that reach a command unchecked (commands/build/option-values.ts).
// A file of its own that imports only an import-free file: program.ts and the fast path must not load the planner
// (or the parser) at start-up.

/** `--network` (docker build's): the network of RUN steps that name none. The planner's BuildNetwork. */
export { NETWORK_MODES as networkModes } from '../parser/language/run-modes.js';

/** `--progress`. */
export const progressModes = ['auto', 'tty', 'plain', 'quiet'] as const;
