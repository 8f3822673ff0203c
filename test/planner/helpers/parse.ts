// The one place planner tests parse Dockerfiles; parse errors fail the test loudly.

import { type ParseResult, parse } from '../../../parser/index.js';

export function parseDockerfile(text: string): ParseResult {
  const result = parse(text);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`Dockerfile does not parse: ${errors.map((e) => e.message).join('; ')}`);
  return result;
}
