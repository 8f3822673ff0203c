// Which `FROM … AS name` names BuildKit accepts: a letter first, then letters, digits, `-`, `_` or `.`,
// compared case-insensitively (BuildKit lower-cases the name before matching).

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function isValidStageName(name: string): boolean {
  return STAGE_NAME.test(name.toLowerCase());
}
