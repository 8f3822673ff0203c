// `--call NAME[,format=json][,ignorestatus=BOOL]` as buildx reads it (util/buildflags ParseCallFunc): CSV
// fields, one name, `check` an alias of `lint`, `build` (or nothing) a normal build. A bad value is an error of
// the command (exit 1, not a usage error), as in buildx.
import { parseFlagOptions, parseGoBool } from '../../../parser/index.js';

export interface CallSpec {
  /** `build`, `lint` (`--check`), `outline`, `targets`, or another name BuildKit's frontend is asked for. */
  readonly name: string;
  /** `json` prints the frontend's result.json; anything else its table. */
  readonly format: string;
  /** The result's status code does not become the exit status (a check's warnings exit 0). */
  readonly ignoreStatus: boolean;
}

export class CallSpecError extends Error {}

export function parseCallSpec(value: string | undefined): CallSpec {
  const build: CallSpec = { name: 'build', format: '', ignoreStatus: false };
  if (value === undefined || value === '') return build;
  const fields = parseFlagOptions(value);
  if (fields.length === 0) throw new CallSpecError(`invalid print value: ${value}`);
  let name = '';
  let format = '';
  let ignoreStatus = false;
  for (const field of fields) {
    if (field.value === null) {
      if (name !== '') throw new CallSpecError(`invalid print value: ${value}`);
      name = field.key;
    } else if (field.key === 'format') format = field.value;
    else if (field.key === 'ignorestatus') {
      const parsed = parseGoBool(field.value);
      if (parsed === null)
        throw new CallSpecError(
          `invalid ignorestatus print value: ${field.value}: strconv.ParseBool: parsing ${JSON.stringify(field.value)}: invalid syntax`,
        );
      ignoreStatus = parsed;
    } else throw new CallSpecError(`invalid print field: ${field.key}=${field.value}`);
  }
  if (name === 'check') name = 'lint';
  return name === 'build' ? build : { name, format, ignoreStatus };
}
