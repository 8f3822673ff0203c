// The `--chmod` values of COPY and ADD that BuildKit's dispatcher accepts: an octal mode up to 07777, or chmod(1)'s
// symbolic form (`go-w`, `u=rw,g=r,o=r`, `a+X`). The linter's check and the planner's, so both refuse the same.

const SYMBOLIC = /^[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+(?:,[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+)*$/;

/** BuildKit's error for an invalid `--chmod` value, or null when it is valid. */
export function chmodProblem(value: string): string | null {
  if (/^[0-7]+$/.test(value) && Number.parseInt(value, 8) <= 0o7777) return null;
  if (SYMBOLIC.test(value)) return null;
  return `invalid chmod parameter: '${value}'. it should be octal string and between 0 and 07777`;
}
