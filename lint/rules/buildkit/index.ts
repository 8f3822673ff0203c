// BuildKit's 22 build checks, in the order of BuildKit's rule table.
import type { Rule } from '../../types.js';
import { consistentInstructionCasing } from './consistent-instruction-casing.js';
import { copyIgnoredFile } from './copy-ignored-file.js';
import { duplicateStageName } from './duplicate-stage-name.js';
import { exposeInvalidFormat } from './expose-invalid-format.js';
import { exposeProtoCasing } from './expose-proto-casing.js';
import { fromAsCasing } from './from-as-casing.js';
import { fromPlatformFlagConstDisallowed } from './from-platform-flag-const-disallowed.js';
import { invalidBaseImagePlatform } from './invalid-base-image-platform.js';
import { invalidDefaultArgInFrom } from './invalid-default-arg-in-from.js';
import { invalidDefinitionDescription } from './invalid-definition-description.js';
import { jsonArgsRecommended } from './json-args-recommended.js';
import { legacyKeyValueFormat } from './legacy-key-value-format.js';
import { maintainerDeprecated } from './maintainer-deprecated.js';
import { multipleInstructionsDisallowed } from './multiple-instructions-disallowed.js';
import { noEmptyContinuation } from './no-empty-continuation.js';
import { redundantTargetPlatform } from './redundant-target-platform.js';
import { reservedStageName } from './reserved-stage-name.js';
import { secretsUsedInArgOrEnv } from './secrets-used-in-arg-or-env.js';
import { stageNameCasing } from './stage-name-casing.js';
import { undefinedArgInFrom } from './undefined-arg-in-from.js';
import { undefinedVar } from './undefined-var.js';
import { workdirRelativePath } from './workdir-relative-path.js';

export const buildkitRules: readonly Rule[] = [
  stageNameCasing,
  fromAsCasing,
  noEmptyContinuation,
  consistentInstructionCasing,
  duplicateStageName,
  reservedStageName,
  jsonArgsRecommended,
  maintainerDeprecated,
  undefinedArgInFrom,
  workdirRelativePath,
  undefinedVar,
  multipleInstructionsDisallowed,
  legacyKeyValueFormat,
  invalidBaseImagePlatform,
  redundantTargetPlatform,
  secretsUsedInArgOrEnv,
  invalidDefaultArgInFrom,
  fromPlatformFlagConstDisallowed,
  copyIgnoredFile,
  invalidDefinitionDescription,
  exposeProtoCasing,
  exposeInvalidFormat,
];
