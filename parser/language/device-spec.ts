// `RUN --device=…` (Dockerfile 1.14 labs): a CDI device name (`vendor.com/class[=name]`) and whether the
// step needs it, read as BuildKit's ParseDevice does (`name`, `required[=bool]`; a bare first field is the
// name), with the CDI qualifier rules BuildKit applies before it looks the device up. Shared by the planner
// (which fails the step) and lint (which reports the same words).
import type { FlagOption } from '../ast.js';
import { parseGoBool } from './go-bool.js';

export interface DeviceSpec {
  readonly name: string;
  /** A required device that is not available fails the step; an optional one is left out. */
  readonly required: boolean;
}

export const DEVICE_OPTION_KEYS: readonly string[] = ['name', 'required'];

export type DeviceSpecResult =
  | { readonly ok: true; readonly device: DeviceSpec }
  | {
      readonly ok: false;
      readonly message: string;
      /** The option at fault (null: the value as a whole). */
      readonly option: FlagOption | null;
      /** An unknown key, for a "did you mean" hint among DEVICE_OPTION_KEYS. */
      readonly unknownKey?: string;
    };

export function parseDeviceSpec(options: readonly FlagOption[]): DeviceSpecResult {
  let name = '';
  let required = false;
  for (const option of options) {
    const key = option.key.toLowerCase();
    const field = option.value === null ? option.key : `${option.key}=${option.value}`;
    if (option.value === null) {
      if (key === 'required') required = true;
      else if (name === '') name = field;
      else return { ok: false, message: `invalid field '${field}' must be a key=value pair`, option };
      continue;
    }
    if (key === 'name') {
      if (name !== '') return { ok: false, message: `device name already set to ${name}`, option };
      name = option.value;
    } else if (key === 'required') {
      const value = parseGoBool(option.value);
      if (value === null) return { ok: false, message: `invalid value for ${key}: ${option.value}`, option };
      required = value;
    } else if (name === '') {
      // A CDI name holds `=` (`vendor.com/gpu=0`): a first field that is no known key is the name.
      name = field;
    } else {
      return { ok: false, message: `unexpected key '${key}' in '${field}'`, option, unknownKey: key };
    }
  }
  const problem = qualifierProblem(name);
  if (problem !== null) return { ok: false, message: `invalid device ${JSON.stringify(name)}${problem}`, option: null };
  return { ok: true, device: { name, required } };
}

/** The CDI rules for `vendor/class` in `vendor/class=name`: null when valid, else ": why" ('' when no more is said). */
function qualifierProblem(device: string): string | null {
  const kind = device.split('=')[0];
  const slash = kind.indexOf('/');
  const vendor = slash < 0 ? '' : kind.slice(0, slash);
  const deviceClass = slash < 0 ? '' : kind.slice(slash + 1);
  if (vendor === '' || deviceClass === '') return '';
  return nameProblem('vendor', vendor, /[A-Za-z0-9_.-]/) ?? nameProblem('class', deviceClass, /[A-Za-z0-9_-]/);
}

function nameProblem(what: 'vendor' | 'class', value: string, allowed: RegExp): string | null {
  if (!/^[A-Za-z]/.test(value)) return `: invalid ${what} ${JSON.stringify(value)}, should start with letter`;
  for (const c of value) {
    if (!allowed.test(c)) return `: invalid character '${c}' in ${what} name ${JSON.stringify(value)}`;
  }
  if (!/[A-Za-z0-9]$/.test(value)) {
    return `: invalid ${what} ${JSON.stringify(value)}, should end with a letter or digit`;
  }
  return null;
}
