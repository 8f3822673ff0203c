// What BuildKit says when a COPY/ADD source or a RUN bind mount's source is missing: the solver computes the step's
// cache key from the content checksum of what it reads (solver/jobs.go CalcSlowCache), the checksum wraps its
// failure with the ref it read (solver/llbsolver/ops/opsutils/contenthash.go), and contenthash's own error is
// `"/x": not found` (cache/contenthash/checksum.go); the edge adds `failed to compute cache key`.

/**
 * BuildKit's message for a source missing from `ref` (an id of what was read: BuildKit's are cache record ids,
 * tsbuild's name the context, stage or image); `cause` is the short form, `"/x": not found`.
 */
export function checksumFailure(ref: string, cause: string): string {
  return `failed to compute cache key: ${checksumStepFailure(ref, cause)}`;
}

/** What the step's own progress line says of it (`#5 ERROR: …`): the error before the edge wraps it. */
export function checksumStepFailure(ref: string, cause: string): string {
  return `failed to calculate checksum of ref ${ref}: ${cause}`;
}

/** The ref id of a build context: `local::context`, or `local::NAME` for `--build-context NAME=DIR`. */
export function contextRefId(name?: string): string {
  return `local::${name ?? 'context'}`;
}
