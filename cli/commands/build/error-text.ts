// A build error as docker prints it: the failing step (its progress name) with its last output lines, the
// Dockerfile excerpt around the instruction with `>>>` on its lines, then `ERROR: failed to solve: <message>`.
import type { BuildError } from '../../../executor/index.js';
import { sourceFrame } from './source-frame.js';

export function renderBuildError(error: BuildError, fileName: string, dockerfile: string | null): string {
  const { line, endLine, instruction, outputTail } = error.details;
  let out = '';
  if (instruction !== undefined) {
    out += `------\n > ${instruction}:\n`;
    for (const l of outputTail ?? []) out += `${l}\n`;
    out += '------\n';
  }
  if (line !== undefined && dockerfile !== null) out += sourceFrame(fileName, dockerfile, line, endLine ?? line);
  return `${out}ERROR: failed to solve: ${error.message}\n`;
}
