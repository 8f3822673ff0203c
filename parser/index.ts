// Public surface of the parser module (browser-safe: nothing from `node:`).
export type * from './ast.js';
export { dumpInstruction, toBuildKitDump } from './dump.js';
export { parseFlagOptions, type RawOption } from './flag-options.js';
export { goQuote } from './go-quote.js';
export { chompHeredocContent } from './heredoc.js';
export { chmodProblem } from './language/chmod-spec.js';
export {
  DEVICE_OPTION_KEYS,
  type DeviceSpec,
  type DeviceSpecResult,
  parseDeviceSpec,
} from './language/device-spec.js';
export { parseGoBool } from './language/go-bool.js';
export { type GoDuration, parseGoDuration } from './language/go-duration.js';
export {
  type HealthcheckProblem,
  type HealthcheckSpec,
  type HealthcheckTiming,
  healthcheckSpec,
} from './language/healthcheck-spec.js';
export {
  type ArgumentProblem,
  argumentProblem,
  argumentsBeforeFlags,
} from './language/instruction-arguments.js';
export { type FlagProblem, flagProblem } from './language/instruction-flags.js';
export { INSTRUCTION_NAMES, unknownInstructionMessage } from './language/instruction-names.js';
export {
  INSTRUCTION_PARSE_ERRORS,
  type InstructionParseError,
  isInstructionParseError,
} from './language/instruction-parse-errors.js';
export {
  isMountType,
  MOUNT_OPTION_KEYS,
  MOUNT_SHARING_MODES,
  MOUNT_TYPES,
  type MountType,
} from './language/mount-options.js';
export { onbuildTriggerProblem, type TriggerProblem } from './language/onbuild-trigger.js';
export { type PortSpec, parsePortSpec } from './language/port-spec.js';
export { ramInBytes } from './language/ram-size.js';
export { NETWORK_MODES, type NetworkMode, SECURITY_MODES } from './language/run-modes.js';
export { hasFromArguments, isValidStageName } from './language/stage-name.js';
export { stopSignalProblem } from './language/stop-signal.js';
export { type Suggestion, search, withSuggestion } from './language/suggest.js';
export { parse } from './parse.js';
export * from './shell/index.js';
