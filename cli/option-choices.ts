// The fixed values of build options, shared by yargs' checks (program.ts), the fast path (fast-path-build.ts) and
// the checks of values that reach a command unchecked (commands/build/option-values.ts). A file of its own and
// without imports: program.ts and the fast path must not load the planner at start-up.

/** `--network` (docker build's): the network of RUN steps that name none. The planner's BuildNetwork. */
export const networkModes = ['default', 'none', 'host'] as const;

/** `--progress`. */
export const progressModes = ['auto', 'tty', 'plain', 'quiet'] as const;
