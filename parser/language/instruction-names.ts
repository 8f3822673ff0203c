// The instruction keywords BuildKit's Dockerfile frontend dispatches (upper case, as its suggestions list
// them). Both the linter and the planner offer "did you mean …?" from this list for unknown instructions.

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
