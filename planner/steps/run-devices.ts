// `RUN --device=…`: the CDI devices a step asks for, checked as BuildKit's ParseDevice checks them. The
// executor decides what a device it cannot provide means (a required one fails the build).
import {
  DEVICE_OPTION_KEYS,
  type DeviceSpec,
  parseDeviceSpec,
  type RunInstruction,
  withSuggestion,
} from '../../parser/index.js';
import { PlanError } from '../errors.js';
import { flags } from './common.js';

export function runDevices(run: RunInstruction): DeviceSpec[] {
  return flags(run, 'device').map((f) => {
    const result = parseDeviceSpec(f.options);
    if (result.ok) return result.device;
    const { message, unknownKey } = result;
    const text = unknownKey === undefined ? message : withSuggestion(message, unknownKey, DEVICE_OPTION_KEYS, true);
    throw new PlanError('invalid-flag', text, result.option?.range ?? f.range);
  });
}
