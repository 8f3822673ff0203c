// The instruction keywords BuildKit's Dockerfile frontend dispatches (upper case, as its suggestions list
// them), and its error for any other: the linter's and the planner's, with "did you mean …?" from this list.
import { withSuggestion } from './suggest.js';

export const INSTRUCTION_NAMES: readonly string[] = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];

/**
 * `unknown instruction: FOO (did you mean FROM?)`: the suggestion takes the case of the keyword as written
 * (`FNTRYPOINT`: did you mean ENTRYPOINT?; `runn`: did you mean run?).
 */
export function unknownInstructionMessage(keyword: string): string {
  return withSuggestion(`unknown instruction: ${keyword.toUpperCase()}`, keyword, INSTRUCTION_NAMES, false);
}
