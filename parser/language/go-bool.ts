// Go's strconv.ParseBool, which BuildKit uses for boolean values in the Dockerfile (`# check=error=true`,
// `--mount=…,readonly=false`): only these exact spellings count, anything else is an error.

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The boolean a Go-style value spells, or null when it spells none. */
export function parseGoBool(value: string): boolean | null {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return null;
}
